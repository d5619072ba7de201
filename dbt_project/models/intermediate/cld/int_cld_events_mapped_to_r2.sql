-- Events in Release 2 values: coded fields of Release 1 files are mapped with
-- seeds/cld_r1_to_r2_map.csv (DHSC has mapped Release 1 submissions forward to Release 2 since
-- October 2025). A value with no mapping row is kept as submitted, so it stays visible as
-- invalid rather than silently becoming something else. Incremental by load
-- (macros/incremental_by_load.sql): a night maps only the files it has not mapped yet.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook=["{{ delete_loads_no_longer_wanted(loaded_cld_loads_sql()) }}"],
) }}
{%- set coded_fields_query -%}
    select raw_column, cld_field_name from {{ ref('cld_fields') }}
    where value_check = 'code_list' and raw_column is not null
    order by raw_column
{%- endset -%}
{%- set coded_fields = run_query(coded_fields_query).rows if execute else [] %}

with

events as (

    select * from {{ ref('stg_cld__events') }}
    where {{ loads_to_build(loaded_cld_loads_sql()) }}

),

release_map as (

    select * from {{ ref('cld_r1_to_r2_map') }}

)

select
    events.* replace (
        {%- for column, field_name in coded_fields %}
            coalesce(map_{{ column }}.r2_value, events.{{ column }}) as {{ column }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    )
from events
{%- for column, field_name in coded_fields %}
    left join release_map as map_{{ column }}
        on events.release = 'R1'
            and map_{{ column }}.cld_field_name = '{{ field_name }}'
            and map_{{ column }}.r1_value = events.{{ column }}
{%- endfor %}
