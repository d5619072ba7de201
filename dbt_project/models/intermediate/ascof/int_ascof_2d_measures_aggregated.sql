-- ASCOF 2D numerators and denominators per council, 2D period (int_ascof_2d_periods_lagged:
-- period_start and period_end bound the discharge dates) and breakdown (Total only: every
-- discharge in the cohort is 65 or over; DHSC's 65-74 / 75-84 / 85+ and sex slices are not
-- produced). Units follow DHSC's counts:
--   2D(1) denominator: reablement clusters linked to a cohort discharge of the period (DHSC
--         COUNT(DISTINCT ST_Max_Cluster_ID)); numerator: those that remained in the community
--         (no emergency readmission, death or long-term residential/nursing care start within
--         84 days of the discharge).
--   2D(2) denominator: cohort discharges (spells) of the period (DHSC COUNT(DISTINCT
--         APCS_Ident)); numerator: those discharges that a reablement cluster links to. DHSC
--         reuses the 2D(1) denominator (clusters) here; the two differ only when one discharge
--         is the latest for two clusters, which we count once so that the numerator is a
--         subset of the denominator.
-- Every 2D period has both measures, zero where nothing happened.
with

periods as not materialized (

    select * from {{ ref('int_ascof_2d_periods_lagged') }}

),

cohort_discharges as (

    select * from {{ ref('int_ascof_2d_discharges_screened') }}
    where is_in_cohort

),

linked as not materialized (

    select * from {{ ref('int_ascof_2d_reablement_linked') }}

),

measures as (

    select '2D(1)' as measure_code

    union all

    select '2D(2)'

),

outcome_counts as (

    select
        council_code,
        period_type,
        period_start,
        period_end,
        '2D(1)' as measure_code,
        count(*) filter (where remained_in_community) as numerator,
        count(*) as denominator
    from linked
    group by council_code, period_type, period_start, period_end

),

linked_spells as (

    select distinct council_code, period_type, period_start, period_end, spell_id
    from linked

),

provision_counts as (

    select
        periods.council_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        '2D(2)' as measure_code,
        count(linked_spells.spell_id) as numerator,
        count(*) as denominator
    from periods
    inner join cohort_discharges
        on periods.council_code = cohort_discharges.council_code
            and cohort_discharges.discharge_date between periods.period_start and periods.period_end
    left join linked_spells
        on periods.council_code = linked_spells.council_code
            and periods.period_type = linked_spells.period_type
            and periods.period_start = linked_spells.period_start
            and periods.period_end = linked_spells.period_end
            and cohort_discharges.spell_id = linked_spells.spell_id
    group by periods.council_code, periods.period_type, periods.period_start, periods.period_end

),

counted as (

    select * from outcome_counts

    union all

    select * from provision_counts

)

select
    periods.council_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    measures.measure_code,
    'Total' as breakdown,
    cast(coalesce(counted.numerator, 0) as bigint) as numerator,
    cast(coalesce(counted.denominator, 0) as bigint) as denominator
from periods
cross join measures
left join counted
    on periods.council_code = counted.council_code
        and periods.period_type = counted.period_type
        and periods.period_start = counted.period_start
        and periods.period_end = counted.period_end
        and measures.measure_code = counted.measure_code
