-- The failure list and the counts must tell one story: for every council, file, field, event
-- type and failing status, the number of failure rows equals the count in fct_cld_field_quality
-- (a status counted there but missing from the list, or listed twice, fails this test).
with

failures as (

    select
        council_code, file_name, cld_field_name, event_type, validation_status,
        count(*) as failure_rows
    from {{ ref('fct_cld_field_quality_failure') }}
    group by all

),

counted as (

    select
        council_code, file_name, cld_field_name, event_type, validation_status,
        sum(row_count) as row_count
    from {{ ref('fct_cld_field_quality') }}
    -- The two statuses that are not failures; every other status is listed row by row.
    where validation_status not in ('Valid', 'Blank and not mandatory')
    group by all

)

select
    counted.council_code,
    counted.file_name,
    counted.cld_field_name,
    counted.event_type,
    counted.validation_status,
    counted.row_count,
    failures.failure_rows
from counted
full outer join failures
    on counted.council_code = failures.council_code
        and counted.file_name = failures.file_name
        and counted.cld_field_name = failures.cld_field_name
        and counted.event_type = failures.event_type
        and counted.validation_status = failures.validation_status
where coalesce(counted.row_count, 0) != coalesce(failures.failure_rows, 0)
