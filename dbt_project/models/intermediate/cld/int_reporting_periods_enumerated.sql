-- Reporting periods each council's selected submissions fully cover:
--   * every financial year (starting in month var('financial_year_start_month'));
--   * rolling 12 months ending at each financial quarter end (the national quarterly cycle);
--   * rolling 12 months ending at each month end (local monitoring).
-- A rolling period ending at a quarter end appears under both rolling types, as each is
-- reported on its own cycle.
with

coverage as (

    select
        council_code,
        min(quarter_start_date) as covered_from,
        max(quarter_end_date) as covered_to
    from {{ ref('int_cld_submissions_selected') }}
    group by council_code

),

month_ends as (

    select
        council_code,
        covered_from,
        covered_to,
        cast(unnest(generate_series(
            date_trunc('month', covered_from), date_trunc('month', covered_to), interval 1 month
        )) + interval 1 month - interval 1 day as date) as period_end
    from coverage

),

candidates as (

    select
        council_code,
        covered_from,
        covered_to,
        period_end,
        cast(period_end - interval 12 month + interval 1 day as date) as period_start,
        -- Months since the financial year started: 12 at a year end, 3, 6, 9 at quarter ends.
        (month(period_end) - {{ var('financial_year_start_month') }} + 12) % 12 + 1
            as month_of_financial_year
    from month_ends

),

typed as (

    select
        council_code, covered_from, covered_to, period_start, period_end,
        'Financial year' as period_type
    from candidates
    where month_of_financial_year = 12

    union all

    select
        council_code, covered_from, covered_to, period_start, period_end,
        'Rolling 12 months to quarter end' as period_type
    from candidates
    where month_of_financial_year % 3 = 0

    union all

    select
        council_code, covered_from, covered_to, period_start, period_end,
        'Rolling 12 months to month end' as period_type
    from candidates

)

select council_code, period_type, period_start, period_end
from typed
where period_start >= covered_from
    and period_end <= covered_to
