-- ASCOF 2B and 2C drill-through: the people each council admitted to long-term residential or
-- nursing care in each period (DHSC Create_ASCOF_2B2C_2425_Onwards):
--   * a new admission (int_ascof_2bc_admissions_classified) starting in the period, whose
--     outcome is not excluded (self-funded), of a person alive at the period start;
--   * aged 18 or over when the stay started (people with no birth month have no age and are
--     left out, as DHSC requires a birth date);
--   * one row per person and council: a person admitted in both age bands counts once, in the
--     younger band (DHSC takes MIN of the band labels, '18 to 64' < '65 and above').
-- The denominator is the ONS population of the age band, not a list of people: every person
-- counted is part of it, so in_denominator is always true.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

periods as (

    select * from {{ ref('int_reporting_periods_enumerated') }}
    where {{ councils }}

),

admissions as (

    select * from {{ ref('int_ascof_2bc_admissions_classified') }}
    where {{ councils }}

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

),

measure_bands as (

    select * from {{ ref('ascof_2bc_measure_age_bands') }}

),

admissions_in_period as (

    select
        periods.council_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        admissions.person_id,
        admissions.age_at_admission
    from admissions
    inner join periods
        on admissions.council_code = periods.council_code
            and admissions.event_start_date between periods.period_start and periods.period_end
    where admissions.is_new_admission
        and not admissions.has_excluded_outcome
        and (admissions.date_of_death is null or admissions.date_of_death >= periods.period_start)
        and admissions.age_at_admission >= (select min(min_age) from age_bands)

),

people as (

    -- The youngest age gives the younger band: the same person as DHSC's MIN(Age_Band).
    select
        council_code,
        period_type,
        period_start,
        period_end,
        person_id,
        min(age_at_admission) as age_at_admission
    from admissions_in_period
    group by all

)

select
    people.council_code,
    people.period_type,
    people.period_start,
    people.period_end,
    measure_bands.measure_code,
    people.person_id,
    age_bands.age_band,
    true as in_numerator,
    true as in_denominator
from people
inner join age_bands
    on people.age_at_admission >= age_bands.min_age
        and (age_bands.max_age is null or people.age_at_admission <= age_bands.max_age)
inner join measure_bands
    on age_bands.age_band = measure_bands.age_band
