-- Reporting periods each council's selected submission fully covers: every financial year
-- (starting in month var('financial_year_start_month')) inside its reporting period.
with

submissions as (

    select * from {{ ref('int_cld_submissions_selected') }}

),

candidate_years as (

    select
        council_code,
        reporting_period_start_date,
        reporting_period_end_date,
        unnest(generate_series(
            year(reporting_period_start_date) - 1, year(reporting_period_end_date)
        )) as start_year
    from submissions

),

financial_years as (

    select
        council_code,
        reporting_period_start_date,
        reporting_period_end_date,
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
where period_start >= reporting_period_start_date
    and period_end <= reporting_period_end_date
