-- ASCOF 2D reporting periods: the same period types as the other measures
-- (int_reporting_periods_enumerated), run var('ascof_2d_lag_months') months behind them, as
-- DHSC runs 2D (ASCOF_main_script: the 2D period is the other measures' period moved back 3
-- months) so that every discharge in a period has its var('ascof_2d_followup_days') (84) days
-- of follow-up inside the data.
-- For 2D, period_start and period_end are the DISCHARGE window: a discharge counts in the
-- period when period_start <= discharge date <= period_end, and its outcomes are followed up to
-- 84 days later, at most the month end var('ascof_2d_lag_months') months after period_end.
-- A period is kept when
--   * the month end lag months after period_end is no later than the council's latest period
--     end of the other measures (the last month end its CLD submissions cover), and
--   * the council's loaded hospital files cover the discharge window and the follow-up: the
--     earliest file starts on or before period_start and the latest ends on or after that
--     same month end. Files are assumed to leave no gap between them.
-- So the latest 2D rolling period of a council ends lag months before the other measures'
-- latest, and a financial year of discharges appears once the data reach the following 30 June.
with

periods as not materialized (

    select * from {{ ref('int_reporting_periods_enumerated') }}

),

cld_coverage as (

    select council_code, max(period_end) as covered_to
    from periods
    group by council_code

),

hospital_coverage as (

    select
        council_code,
        min(reporting_period_start_date) as covered_from,
        max(reporting_period_end_date) as covered_to
    from {{ ref('stg_ops__hospital_loads') }}
    where load_status = 'loaded'
    group by council_code

),

followed_up as (

    select
        periods.council_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        last_day(periods.period_end + to_months({{ var('ascof_2d_lag_months') }}))
            as follow_up_data_to
    from periods

)

select
    followed_up.council_code,
    followed_up.period_type,
    followed_up.period_start,
    followed_up.period_end,
    cast(followed_up.follow_up_data_to as date) as follow_up_data_to
from followed_up
inner join cld_coverage
    on followed_up.council_code = cld_coverage.council_code
inner join hospital_coverage
    on followed_up.council_code = hospital_coverage.council_code
where followed_up.follow_up_data_to <= cld_coverage.covered_to
    and followed_up.follow_up_data_to <= hospital_coverage.covered_to
    and followed_up.period_start >= hospital_coverage.covered_from
