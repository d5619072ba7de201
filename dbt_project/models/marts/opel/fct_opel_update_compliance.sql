-- Did every expected reporting unit (seeds/opel_reporting_units.csv) update each indicator each
-- day, by the morning deadline, and, on days the council is at or above
-- var('opel_twice_daily_from_level'), again in the afternoon window? (Pressures Plan, App. 2.)
with

expected as (

    select * from {{ ref('opel_reporting_units') }}

),

days as (

    select distinct council_code, report_date from {{ ref('fct_opel_indicator_daily') }}

),

values_daily as (

    select * from {{ ref('fct_opel_indicator_daily') }}

),

council_status as (

    select * from {{ ref('fct_opel_status_daily') }}
    where scope = 'Council'

)

select
    cast(days.report_date as date) as report_date,
    cast(expected.council_code as varchar) as council_code,
    cast(expected.area as varchar) as area,
    cast(expected.team_or_location as varchar) as team_or_location,
    cast(expected.indicator_code as varchar) as indicator_code,
    cast(coalesce(values_daily.update_count, 0) as integer) as update_count,
    cast(values_daily.first_updated_at_local as timestamp) as first_updated_at_local,
    cast(values_daily.update_count is null as boolean) as is_missing,
    cast(coalesce(values_daily.morning_updates = 0, false) as boolean) as is_late,
    cast(
        coalesce(council_status.opel_level >= {{ var('opel_twice_daily_from_level') }}, false)
        as boolean
    ) as second_update_required,
    cast(
        coalesce(council_status.opel_level >= {{ var('opel_twice_daily_from_level') }}, false)
        and coalesce(values_daily.afternoon_updates, 0) = 0
        as boolean
    ) as is_missing_second_update,
    cast(
        days.report_date = max(days.report_date) over (partition by expected.council_code)
        as boolean
    ) as is_latest_day
from expected
inner join days
    on expected.council_code = days.council_code
left join values_daily
    on days.report_date = values_daily.report_date
        and expected.council_code = values_daily.council_code
        and expected.area = values_daily.area
        and expected.team_or_location = values_daily.team_or_location
        and expected.indicator_code = values_daily.indicator_code
left join council_status
    on days.report_date = council_status.report_date
        and days.council_code = council_status.council_code
