-- One row per council and DoLS application: the version in the latest load.
{{ latest_load_per_key('stg_dols__applications', 'stg_ops__dols_loads', 'application_id') }}
