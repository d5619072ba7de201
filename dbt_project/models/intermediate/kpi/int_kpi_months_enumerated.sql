-- Months each council's selected CLD submissions fully cover: the calendar every monthly KPI is
-- reported on, so a month with no activity still gets a row (a count of 0, not a gap).
with

coverage as (

    select
        council_code,
        min(quarter_start_date) as covered_from,
        max(quarter_end_date) as covered_to
    from {{ ref('int_cld_submissions_selected') }}
    group by council_code

),

months as (

    select
        council_code,
        covered_from,
        covered_to,
        cast(unnest(generate_series(
            date_trunc('month', covered_from), date_trunc('month', covered_to), interval 1 month
        )) as date) as month
    from coverage

),

bounded as (

    select
        council_code,
        month,
        cast(month + interval 1 month - interval 1 day as date) as month_end,
        -- 1 April (var financial_year_start_month) on or before the month.
        cast(make_date(
            year(
                month) - case when month(month) < {{ var('financial_year_start_month') }}
                    then 1
                else 0
            end,
            {{ var('financial_year_start_month') }},
            1
        ) as date) as financial_year_start,
        covered_from,
        covered_to
    from months

)

select
    council_code,
    month,
    month_end,
    financial_year_start,
    -- 1 in the first month of the financial year, 12 in its last.
    (month(month) - {{ var('financial_year_start_month') }} + 12) % 12 + 1
        as month_of_financial_year,
    -- What the submissions cover: a KPI whose look-back or follow-up window reaches outside it
    -- is not reported for that month (the events there are unknown, not absent).
    covered_from as coverage_start,
    covered_to as coverage_end
from bounded
where month >= covered_from
    and month_end <= covered_to
