-- Drill-through for 2D: one row per council, 2D period, measure and person counted in its
-- denominator. 2D(1): people with a reablement cluster linked to a discharge of the period,
-- in the numerator when any of their clusters remained in the community. 2D(2): people with a
-- cohort discharge in the period, in the numerator when any of their discharges links to
-- reablement. The measures count clusters and discharges, so a person with two counts once
-- here. Age band at the person's latest discharge in the period (seeds/ref_age_bands.csv: all
-- are 65 and above).
with

periods as (

    select * from {{ ref('int_ascof_2d_periods_lagged') }}

),

cohort_discharges as (

    select * from {{ ref('int_ascof_2d_discharges_screened') }}
    where is_in_cohort

),

linked as not materialized (

    select * from {{ ref('int_ascof_2d_reablement_linked') }}

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

),

discharges_in_period as (

    select
        periods.council_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        cohort_discharges.person_id,
        cohort_discharges.spell_id,
        cohort_discharges.discharge_date,
        cohort_discharges.age_at_discharge
    from periods
    inner join cohort_discharges
        on periods.council_code = cohort_discharges.council_code
            and cohort_discharges.discharge_date between periods.period_start and periods.period_end

),

person_rows as (

    select
        council_code, period_type, period_start, period_end, '2D(1)' as measure_code,
        person_id, discharge_date, age_at_discharge, remained_in_community as in_numerator
    from linked

    union all

    select
        discharges_in_period.council_code,
        discharges_in_period.period_type,
        discharges_in_period.period_start,
        discharges_in_period.period_end,
        '2D(2)',
        discharges_in_period.person_id,
        discharges_in_period.discharge_date,
        discharges_in_period.age_at_discharge,
        exists(
            select 1 from linked
            where linked.council_code = discharges_in_period.council_code
                and linked.period_type = discharges_in_period.period_type
                and linked.period_end = discharges_in_period.period_end
                and linked.spell_id = discharges_in_period.spell_id
        )
    from discharges_in_period

),

people as (

    select
        council_code,
        period_type,
        period_start,
        period_end,
        measure_code,
        person_id,
        arg_max(age_at_discharge, discharge_date) as age_at_latest_discharge,
        bool_or(in_numerator) as in_numerator
    from person_rows
    group by council_code, period_type, period_start, period_end, measure_code, person_id

)

select
    people.council_code,
    people.period_type,
    people.period_start,
    people.period_end,
    people.measure_code,
    people.person_id,
    coalesce(age_bands.age_band, 'Unknown') as age_band,
    people.in_numerator,
    true as in_denominator
from people
left join age_bands
    on people.age_at_latest_discharge >= age_bands.min_age
        and (age_bands.max_age is null or people.age_at_latest_discharge <= age_bands.max_age)
