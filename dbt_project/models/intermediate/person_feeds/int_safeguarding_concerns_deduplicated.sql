-- One row per council and safeguarding concern: the version in the latest load.
{{ latest_load_per_key('stg_safeguarding__concerns', 'stg_ops__safeguarding_loads', 'concern_id') }}
