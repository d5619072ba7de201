-- Every field of every loaded row with its validation status (macro classify_cld_field_values).
-- A view: one row per field per event is never stored. fct_cld_field_quality_failure reads it
-- for the loads it has not listed yet (macro loads_to_build) and keeps the failures only.
{{ config(materialized='view') }}
with

submitted as (

    select * from {{ ref('stg_cld__submitted_values') }}

),

classified as (

    {{ classify_cld_field_values('submitted') }}

),

-- Every code of every list, trimmed and lower-cased, as one list value: whether a value is
-- reportable is tested against it only on the rows that reach that branch of the case, and not
-- at all by a reader that leaves the column out. "in (select ...)" was planned as a mark join
-- over every field of every event, whether the column was read or not.
reportable_codes as (

    select list(distinct lower(trim(code_value))) as code_values
    from {{ ref('cld_code_list') }}

)

select
    classified.event_row_id,
    classified.council_code,
    classified.release,
    classified.load_id,
    classified.source_file,
    classified.source_row_number,
    classified.row_event_type as event_type,
    classified.row_event_reference as event_reference,
    classified.cld_field_name,
    classified.value_check,
    classified.requirement,
    classified.validation_status,
    -- A value is shown only when it is a code of some code list (a Release 1 value, or the
    -- next field's value in a shifted row): anything else, a name keyed into a coded field or
    -- a date of birth in the wrong form, may identify someone.
    case
        when not classified.is_identifier_check and classified.value_check = 'code_list'
            and list_contains(reportable_codes.code_values, lower(trim(classified.submitted_value)))
            then classified.submitted_value
    end as reportable_value
from classified
cross join reportable_codes
