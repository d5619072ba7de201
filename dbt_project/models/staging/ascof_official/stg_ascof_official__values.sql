-- The official ASCOF series, one row per measure, breakdown, area and financial year, with the
-- financial year as dates so it joins to fct_ascof_measure's financial-year periods.
with

source as (

    select * from {{ ref('ascof_official_values') }}

),

dated as (

    select
        *,
        make_date(
            cast(left(financial_year, 4) as integer), {{ var('financial_year_start_month') }}, 1
        ) as period_start
    from source

)

select
    measure_code,
    breakdown,
    area_level,
    area_code,
    financial_year,
    period_start,
    cast(period_start + interval 12 month - interval 1 day as date) as period_end,
    numerator,
    numerator_marker,
    denominator,
    denominator_marker,
    outcome,
    outcome_marker,
    outcome_stored,
    outcome_original_population,
    respondents,
    respondents_marker,
    margin_of_error,
    margin_of_error_marker
from dated
