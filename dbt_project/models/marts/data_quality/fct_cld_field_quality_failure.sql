-- Each failing field of each row, with the event reference and line to correct it at source.
select
    cast(council_code as varchar) as council_code,
    cast(source_file as varchar) as file_name,
    cast(source_row_number as bigint) as source_row_number,
    cast(event_reference as varchar) as event_reference,
    cast(event_type as varchar) as event_type,
    cast(cld_field_name as varchar) as cld_field_name,
    cast(validation_status as varchar) as validation_status,
    cast(reportable_value as varchar) as submitted_value
from {{ ref('int_cld_field_values_classified') }}
where validation_status in ('Invalid', 'Blank but mandatory', 'Valid only in Release 1')
