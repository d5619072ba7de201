-- AH S24 applies ASCOF 4B's rule month by month, so for every financial year whose twelve months
-- are all in the KPI calendar, the months' numerators and denominators add up to 4B's for that
-- year. Returns the years where they do not.
with

s24_years as (

    select
        council_code,
        cast(make_date(
            year(
                month) - case when month(month) < {{ var('financial_year_start_month') }}
                    then 1
                else 0
            end,
            {{ var('financial_year_start_month') }},
            1
        ) as date) as period_start,
        count(*) as months,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from {{ ref('int_kpi_safeguarding_monthly') }}
    where kpi_ref = 'AH S24'
    group by all

),

ascof_4b as (

    select council_code, period_start, numerator, denominator
    from {{ ref('int_ascof_4b_measures_aggregated') }}
    where period_type = 'Financial year'

)

select
    ascof_4b.council_code,
    ascof_4b.period_start,
    ascof_4b.numerator as ascof_numerator,
    s24_years.numerator as s24_numerator,
    ascof_4b.denominator as ascof_denominator,
    s24_years.denominator as s24_denominator
from ascof_4b
inner join s24_years
    on ascof_4b.council_code = s24_years.council_code
        and ascof_4b.period_start = s24_years.period_start
where s24_years.months = 12
    and (ascof_4b.numerator <> s24_years.numerator or ascof_4b.denominator <> s24_years.denominator)
