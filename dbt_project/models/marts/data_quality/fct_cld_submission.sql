-- Every loaded CLD file with the period it states, the period derived from its data, whether
-- it is excluded, and the quarters it supplies under the national selection rules
-- (int_cld_submission_periods_derived, int_cld_submissions_selected).
with

files as (

    select * from {{ ref('int_cld_submission_periods_derived') }}

),

selected as (

    select
        load_id,
        count(*) as quarters_supplied,
        min(quarter_start_date) as first_quarter_supplied,
        max(quarter_end_date) as last_quarter_end_supplied
    from {{ ref('int_cld_submissions_selected') }}
    group by load_id

)

select
    files.council_code,
    files.file_name,
    files.release,
    cast(files.loaded_at as timestamp) as loaded_at,
    cast(files.imported_at as timestamp) as imported_at,
    files.stated_period_start_date,
    files.stated_period_end_date,
    cast(files.dated_events as bigint) as dated_events,
    files.derived_period_start_date,
    files.derived_period_end_date,
    files.is_excluded,
    files.exclusion_reason,
    cast(coalesce(selected.quarters_supplied, 0) as bigint) as quarters_supplied,
    selected.first_quarter_supplied,
    selected.last_quarter_end_supplied
from files
left join selected
    on files.load_id = selected.load_id
