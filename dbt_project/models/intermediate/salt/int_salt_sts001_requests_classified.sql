-- SALT STS001 step 3: new clients' request clusters ending in each financial year, with their
-- sequel and age band. As in NHSE's SQL, people who died before the year started are out and
-- age is taken at the year end. Under-18s are excluded (SALT counts adults; NHSE's STS001 SQL
-- computes the age but applies no filter [U]); people with no birth month are kept with age
-- band "Unknown" (NHSE drops them), as in LTS001.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

periods as (

    select * from {{ ref('int_reporting_periods_enumerated') }}
    -- SALT is an annual return: financial years only.
    where period_type = 'Financial year'
        and {{ councils }}

),

requests as (

    select * from {{ ref('int_salt_sts001_sequels_assigned') }}
    where {{ councils }}

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

),

in_period as (

    select
        periods.period_type,
        periods.period_start,
        periods.period_end,
        requests.*,
        cast({{ age_in_years('requests.birth_month', 'periods.period_end') }} as integer)
            as age_at_period_end
    from requests
    inner join periods
        on requests.council_code = periods.council_code
            and requests.cluster_end_date between periods.period_start and periods.period_end
    where requests.date_of_death is null
        or requests.date_of_death >= periods.period_start

)

select
    in_period.council_code,
    in_period.period_type,
    in_period.period_start,
    in_period.period_end,
    in_period.person_id,
    in_period.cluster_number,
    in_period.cluster_start_date,
    in_period.cluster_end_date,
    in_period.route_of_access,
    in_period.request_outcome,
    in_period.sequel_rule,
    in_period.sequel,
    in_period.sequel_service_event_row_id,
    in_period.age_at_period_end,
    coalesce(age_bands.age_band, 'Unknown') as age_band
from in_period
left join age_bands
    on in_period.age_at_period_end >= age_bands.min_age
        and (age_bands.max_age is null or in_period.age_at_period_end <= age_bands.max_age)
where in_period.age_at_period_end is null
    or in_period.age_at_period_end >= (select min(min_age) from age_bands)
