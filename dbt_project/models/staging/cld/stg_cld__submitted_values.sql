-- Every submitted field of every loaded row, one row per field, for field-level validation.
-- Only a reshape of the source: kept fields carry the value as submitted; identifying fields
-- carry the check status the loader recorded before hashing them (the value itself is gone).
{%- set submitted_columns = cld_submitted_columns() %}
with

source as (

    select * from {{ source('cld', 'cld_events') }}

),

keyed as (

    select
        -- The row number is zero-padded so that ids sort in row order (row 9 before row 10)
        -- wherever a model breaks a tie on event_row_id.
        load_id || ':' || lpad(cast(source_row_number as varchar), 10, '0') as event_row_id,
        event_type as row_event_type,
        event_reference as row_event_reference,
        {{ cld_event_has_ended('event_end_date') }} as row_event_has_ended,
        council_code,
        release,
        load_id,
        source_file,
        source_row_number,
        {{ submitted_columns | join(',\n        ') }}
    from source

)

select *
from keyed
unpivot include nulls (
    submitted_value for column_name in (
        {{ submitted_columns | join(',\n        ') }}
    )
)
