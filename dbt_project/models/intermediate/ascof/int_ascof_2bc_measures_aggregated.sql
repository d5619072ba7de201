-- ASCOF 2B (aged 18 to 64) and 2C (65 and above) counts per council and period: the numerator
-- is the people newly admitted to long-term residential or nursing care (int_ascof_2bc_people),
-- the denominator the ONS mid-year population estimate of the council and age band
-- (seeds/ons_population_estimates.csv). The mart multiplies by 100,000 (seeds/ascof_measures.csv).
--   * As DHSC, one row per age band and no Total, and councils with no admissions get 0.
--   * The period's population year is the year of the latest 30 June on or before the period
--     end: 2024 for 2024-25 (mid-2024, as DHSC did), 2023 for 2023-24. DHSC's choice for
--     rolling periods is unconfirmed [U].
--   * When the seed has no estimate for that year, the nearest earlier year held is used; when
--     none is earlier, the nearest later one (a 2023-24 period with only mid-2024 held uses
--     mid-2024). population_year says which year was used; the mart flags the difference.
--   * No estimate at all for the council and band: the denominator is null (so is the
--     outcome) and the row says why; population figures are never made up.
with

periods as (

    select * from {{ ref('int_reporting_periods_enumerated') }}

),

people as (

    select * from {{ ref('int_ascof_2bc_people') }}

),

measure_bands as (

    select * from {{ ref('ascof_2bc_measure_age_bands') }}

),

population as (

    select * from {{ ref('ons_population_estimates') }}

),

admissions as (

    select
        council_code,
        period_type,
        period_end,
        measure_code,
        count(distinct person_id) as admitted_people
    from people
    group by all

),

periods_with_population_year as (

    select
        *,
        case
            when period_end >= make_date(year(period_end), 6, 30) then year(period_end)
            else year(period_end) - 1
        end as population_target_year
    from periods

),

population_for_period as (

    select
        periods.council_code,
        periods.period_type,
        periods.period_end,
        periods.population_target_year,
        population.age_band,
        population.estimate_year,
        population.population
    from periods_with_population_year as periods
    inner join population
        on periods.council_code = population.council_code
    -- Nearest earlier (or same) year first, then nearest later year.
    qualify row_number() over (
            partition by
                periods.council_code, periods.period_type, periods.period_end,
                population.age_band
            order by
                population.estimate_year > periods.population_target_year,
                abs(population.estimate_year - periods.population_target_year)
        ) = 1

)

select
    periods.council_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    measure_bands.measure_code,
    measure_bands.age_band as breakdown,
    cast(coalesce(admissions.admitted_people, 0) as bigint) as numerator,
    cast(population_for_period.population as bigint) as denominator,
    cast(periods.population_target_year as integer) as population_target_year,
    cast(population_for_period.estimate_year as integer) as population_year
from periods_with_population_year as periods
cross join measure_bands
left join admissions
    on periods.council_code = admissions.council_code
        and periods.period_type = admissions.period_type
        and periods.period_end = admissions.period_end
        and measure_bands.measure_code = admissions.measure_code
left join population_for_period
    on periods.council_code = population_for_period.council_code
        and periods.period_type = population_for_period.period_type
        and periods.period_end = population_for_period.period_end
        and measure_bands.age_band = population_for_period.age_band
