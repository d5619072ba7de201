-- Each failing field of each row of each file's current load, with the event reference and
-- line to correct it at source. Incremental by load (macros/incremental_by_load.sql), like
-- fct_cld_field_quality, over the current loads that have a failing field there: a load with
-- none yields no rows here, and is never wanted, so never read again.
{%- set failing_loads_sql = failing_cld_loads_sql() %}
{%- set submitted_columns = cld_submitted_columns() %}
-- depends_on: {{ source('cld', 'cld_events') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=["{{ delete_loads_no_longer_wanted(failing_cld_loads_sql()) }}"],
) }}
{#- Once, not in each column's select: an incremental run looks up the loads it lacks. #}
{%- set load_filter = loads_to_build(failing_loads_sql) %}
with

-- Each field under its raw column and its identifier-check column, as submitted values name it.
field_columns as (

    select cld_field_name, raw_column as column_name
    from {{ ref('cld_fields') }}
    where raw_column is not null
    union all
    select cld_field_name, check_column as column_name
    from {{ ref('cld_fields') }}
    where check_column is not null

),

-- The columns of each load and event type in which fct_cld_field_quality counted a failing
-- value. A value's status depends only on its field, release, event type, whether the event has
-- ended, and the value, and that model classifies every current load's distinct values with the
-- same macro; so no other column of a load can hold a failing row. Only these fields are then
-- classified row by row: 4 of about 50 columns at Kent scale, instead of all 83 M fields.
failing_columns as (

    select distinct quality.load_id, quality.event_type, field_columns.column_name
    from {{ ref('fct_cld_field_quality') }} as quality
    inner join field_columns
        on quality.cld_field_name = field_columns.cld_field_name
    where list_position([{{ failing_validation_statuses_sql() }}], quality.validation_status)
        is not null

),

-- The filter is here, before classifying: DuckDB does not push a filter on the classified rows
-- down through the classification's joins. One select per submitted column (as
-- stg_cld__submitted_values), each with its own filter, which DuckDB applies in the scan of that
-- column's rows: a column with no failure reads nothing. The same filter over the union of all
-- columns was one semi join over every field of every row (7 CPU s at Kent scale, this 1.5).
submitted as (

    {% for column in submitted_columns -%}
        select {{ cld_submitted_value_of(column) }}
        from {{ source('cld', 'cld_events') }} as events
        where {{ load_filter }}
            and exists (
                select 1 from failing_columns
                where failing_columns.load_id = events.load_id
                    and failing_columns.column_name = '{{ column }}'
                    and failing_columns.event_type is not distinct from events.event_type
            )
        {% if not loop.last %}union all
        {% endif %}
    {%- endfor %}

),

classified as (

    {{ classify_cld_field_values_reportably('submitted') }}

),

current_loads as (

    select * from {{ ref('int_cld_current_loads') }}

)

select
    cast(classified.load_id as varchar) as load_id,
    cast(classified.council_code as varchar) as council_code,
    cast(classified.source_file as varchar) as file_name,
    cast(classified.source_row_number as bigint) as source_row_number,
    cast(classified.event_reference as varchar) as event_reference,
    cast(classified.event_type as varchar) as event_type,
    cast(classified.cld_field_name as varchar) as cld_field_name,
    cast(classified.validation_status as varchar) as validation_status,
    cast(classified.reportable_value as varchar) as submitted_value
from classified
inner join current_loads
    on classified.load_id = current_loads.load_id
where
    list_position([{{ failing_validation_statuses_sql() }}], classified.validation_status)
    is not null
