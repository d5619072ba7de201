-- Counts of rows by council, file, field, event type and validation status.
select
    cast(council_code as varchar) as council_code,
    cast(source_file as varchar) as file_name,
    cast(release as varchar) as release,
    cast(cld_field_name as varchar) as cld_field_name,
    cast(event_type as varchar) as event_type,
    cast(validation_status as varchar) as validation_status,
    cast(count(*) as bigint) as row_count
from {{ ref('int_cld_field_values_classified') }}
group by all
