-- ASCOF 2B (aged 18 to 64) and 2C (65 and above) counts per council and period: the numerator
-- is the people newly admitted to long-term residential or nursing care (int_ascof_2bc_people),
-- the denominator the ONS mid-year population estimate of the council and age band
-- (seeds/ons_population_estimates.csv). The mart multiplies by 100,000 (seeds/ascof_measures.csv).
--   * As DHSC, one row per age band and no Total, and councils with no admissions get 0.
--   * The estimate used is the latest one dated (30 June of its year) on or before the period
--     end: mid-2024 for 2024-25, as DHSC did; later periods fall back to the latest estimate
--     held until a newer one is loaded. DHSC's choice for rolling periods is unconfirmed [U].
--   * No estimate for the council and band: the denominator is null (so is the outcome);
--     population figures are never made up.
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

population_for_period as (

    select
        periods.council_code,
        periods.period_type,
        periods.period_end,
        population.age_band,
        population.population
    from periods
    inner join population
        on periods.council_code = population.council_code
        and make_date(population.estimate_year, 6, 30) <= periods.period_end
    qualify row_number() over (
        partition by periods.council_code, periods.period_type, periods.period_end,
            population.age_band
        order by population.estimate_year desc
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
    cast(population_for_period.population as bigint) as denominator
from periods
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
