-- Every field of every loaded row with its validation status and the value as it may be shown
-- (macro classify_cld_field_values_reportably). A view: one row per field per event is never
-- stored. fct_cld_field_quality_failure applies the same macro to the fields that can fail only.
{{ config(materialized='view') }}
with

submitted as (

    select * from {{ ref('stg_cld__submitted_values') }}

),

classified as (

    {{ classify_cld_field_values_reportably('submitted') }}

)

select * from classified
