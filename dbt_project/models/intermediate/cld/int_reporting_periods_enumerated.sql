-- Reporting periods each council's selected submissions fully cover: every financial year
-- (starting in month var('financial_year_start_month')) inside the span of its reference periods.
with

coverage as (

    select
        council_code,
        min(reference_period_start_date) as covered_from,
        max(reference_period_end_date) as covered_to
    from {{ ref('int_cld_submissions_selected') }}
    group by council_code

),

candidate_years as (

    select
        council_code,
        covered_from,
        covered_to,
        unnest(generate_series(year(covered_from) - 1, year(covered_to))) as start_year
    from coverage

),

financial_years as (

    select
        council_code,
        covered_from,
        covered_to,
        'Financial year' as period_type,
        make_date(cast(start_year as integer), {{ var('financial_year_start_month') }}, 1)
            as period_start,
        cast(
            make_date(cast(start_year as integer) + 1, {{ var('financial_year_start_month') }}, 1)
            - interval 1 day
        as date) as period_end
    from candidate_years

)

select council_code, period_type, period_start, period_end
from financial_years
where period_start >= covered_from
    and period_end <= covered_to
