-- Every DoLS application of an adult with its statutory time limit and, once completed, how long
-- it took and whether that was within the limit: var('dols_urgent_days') (7) for applications of
-- type var('dols_urgent_application_type'), var('dols_standard_days') (21) for the others,
-- counted in days from the received date (completed on day 21 is in time, day 22 late).
-- Every completed application is timed whatever its outcome, withdrawn ones included; the
-- outcome is kept so analysts can leave them out. Adult: not known to be under the youngest age
-- band (18) on the day the application was received (DoLS apply to adults; unknown age kept).
with

applications as (

    select * from {{ ref('int_dols_applications_deduplicated') }}

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

),

limited as (

    select
        council_code,
        application_id,
        person_id,
        received_date,
        application_type,
        care_setting,
        completed_date,
        outcome,
        {{ dols_statutory_days('application_type') }} as statutory_days,
        datediff('day', received_date, completed_date) as days_to_completion
    from applications
    where birth_month is null
        or {{ age_in_years('birth_month', 'received_date') }}
        >= (select min(min_age) from age_bands)

)

select
    *,
    days_to_completion <= statutory_days as is_completed_within_time
from limited
