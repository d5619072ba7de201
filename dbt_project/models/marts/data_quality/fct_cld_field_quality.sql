-- Counts of rows by load, field, event type and validation status, for each file's current
-- load only (int_cld_current_loads): a corrected file with the same name is never summed with
-- the superseded one. Incremental by load (macros/incremental_by_load.sql): a night counts only
-- the loads it has not counted yet, and drops the counts of loads superseded since.
{%- set current_loads_sql = current_cld_loads_sql() %}
{%- set submitted_columns = cld_submitted_columns() %}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=["{{ delete_loads_no_longer_wanted(current_cld_loads_sql()) }}"],
) }}
with

-- The rows of the loads to count, each with what a value's status depends on besides its field
-- and the value itself.
submitted_rows as (

    select
        load_id,
        council_code,
        source_file,
        release,
        event_type as row_event_type,
        {{ cld_event_has_ended('event_end_date') }} as row_event_has_ended,
        {{ submitted_columns | join(',\n        ') }}
    from {{ source('cld', 'cld_events') }}
    where {{ loads_to_build(current_loads_sql) }}

),

-- Each distinct submitted value of each field and event type of a file once, with its count of
-- rows: the status depends on nothing else, so classifying these (2.2 M at Kent scale) and summing
-- counts the same as classifying every field of every row (83 M) and counting. One aggregate per
-- column, not one over every field of every row (the rows of stg_cld__submitted_values, 83 M at
-- Kent scale): that cost twice the CPU (13 against 7 CPU s), for the same counts.
submitted_value_counts as (

    {% for column in submitted_columns -%}
        select
            load_id,
            council_code,
            source_file,
            release,
            row_event_type,
            row_event_has_ended,
            '{{ column }}' as column_name,
            {{ column }} as submitted_value,
            count(*) as row_count
        from submitted_rows
        group by
            load_id, council_code, source_file, release, row_event_type, row_event_has_ended,
            {{ column }}
        {% if not loop.last %}union all
        {% endif %}
    {%- endfor %}

),

classified as (

    {{ classify_cld_field_values('submitted_value_counts') }}

),

current_loads as (

    select * from {{ ref('int_cld_current_loads') }}

)

select
    cast(classified.load_id as varchar) as load_id,
    cast(classified.council_code as varchar) as council_code,
    cast(classified.source_file as varchar) as file_name,
    cast(current_loads.loaded_at as timestamp) as loaded_at,
    cast(classified.release as varchar) as release,
    cast(classified.cld_field_name as varchar) as cld_field_name,
    cast(classified.row_event_type as varchar) as event_type,
    cast(classified.validation_status as varchar) as validation_status,
    cast(sum(classified.row_count) as bigint) as row_count
from classified
inner join current_loads
    on classified.load_id = current_loads.load_id
group by all
