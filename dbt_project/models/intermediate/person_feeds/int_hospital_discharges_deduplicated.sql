-- One row per council and hospital spell: the version in the latest load.
{{ latest_load_per_key('stg_hospital__discharges', 'stg_ops__hospital_loads', 'spell_id') }}
