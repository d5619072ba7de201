-- Each failing field of each row of each file's current load, with the event reference and
-- line to correct it at source. Incremental by load (macros/incremental_by_load.sql), like
-- fct_cld_field_quality, over the current loads that have a failing field there: a load with
-- none yields no rows here, and is never wanted, so never read again.
{%- set failing_loads_sql = failing_cld_loads_sql() %}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=["{{ delete_loads_no_longer_wanted(failing_cld_loads_sql()) }}"],
) }}
with

classified as (

    select * from {{ ref('int_cld_field_values_classified') }}
    where {{ loads_to_build(failing_loads_sql) }}

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
-- One lookup of the status in the list: DuckDB pushes this filter into the view's classification,
-- and "status in (a, b, c)" there became three comparisons, each classifying the value again.
where
    list_position([{{ failing_validation_statuses_sql() }}], classified.validation_status)
    is not null
