-- ASCOF 2D step 3: per 2D period, each reablement cluster that follows a cohort discharge of
-- the period, with the linked discharge and its outcomes (DHSC Create_ASCOF_2D stages 3 and 4).
--   Link: a cohort discharge (int_ascof_2d_discharges_screened) of the same person and council,
--   discharged in the period, from var('ascof_2d_link_days_before') (7) days before to
--   var('ascof_2d_link_days_after') (3) days after the cluster start, admitted on or before the
--   start. Of several, the latest discharge is kept (ties: latest admission, then spell_id,
--   only so the choice is repeatable; DHSC keeps tied spells and counts the cluster once). As
--   in DHSC, linking runs within each period's discharges, so a cluster whose candidate
--   discharges straddle a period boundary can link in both periods.
--   Outcomes within var('ascof_2d_followup_days') (84) days of the linked discharge (day 84
--   counts, day 85 does not):
--     * emergency readmission: another spell of the person admitted after the discharge day and
--       after the cluster start, on or before discharge + 84, whose management type is
--       emergency (seeds/ascof_2d_outcome_codes.csv emergency_readmission: EM, NE), admitted
--       before its own discharge day and not ending in a stillbirth (readmission_excluded);
--     * death: the person's CLD date of death (latest across their events in the council) from
--       the discharge day to discharge + 84; or (our addition, not in DHSC) a later spell of
--       the person admitted on or after the discharge day that ended in death
--       (died_in_hospital: discharge method 4) on or before discharge + 84;
--     * long-term residential or nursing care: a CLD service of the person
--       (seeds/ascof_2d_long_term_services.csv is_outcome) starting from the discharge day to
--       discharge + 84.
--   remained_in_community: none of the three (the 2D(1) numerator).
-- Readmissions and deaths in hospital are seen only in this council's hospital feed (spells of
-- its residents discharged in the files' periods): a readmission still in hospital when the
-- latest file was cut is not seen.
with

periods as (

    select * from {{ ref('int_ascof_2d_periods_lagged') }}

),

cohort_discharges as (

    select * from {{ ref('int_ascof_2d_discharges_screened') }}
    where is_in_cohort

),

clusters as (

    select * from {{ ref('int_ascof_2d_reablement_clustered') }}

),

all_spells as not materialized (

    select * from {{ ref('int_hospital_discharges_deduplicated') }}
    where person_id is not null

),

outcome_codes as (

    select * from {{ ref('ascof_2d_outcome_codes') }}

),

long_term_services as (

    select * from {{ ref('ascof_2d_long_term_services') }}
    where is_outcome

),

events as (

    select * from {{ ref('int_ascof_2a_events_prepared') }}

),

deaths as (

    select council_code, person_id, max(date_of_death) as date_of_death
    from {{ ref('int_cld_events_deduplicated') }}
    where person_id is not null
    group by council_code, person_id

),

candidate_links as (

    select
        periods.council_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        clusters.person_id,
        clusters.cluster_number,
        clusters.cluster_start_date,
        cohort_discharges.spell_id,
        cohort_discharges.admission_date,
        cohort_discharges.discharge_date,
        cohort_discharges.age_at_discharge
    from periods
    inner join cohort_discharges
        on periods.council_code = cohort_discharges.council_code
            and cohort_discharges.discharge_date between periods.period_start and periods.period_end
    inner join clusters
        on cohort_discharges.council_code = clusters.council_code
            and cohort_discharges.person_id = clusters.person_id
    where cohort_discharges.discharge_date
        >= clusters.cluster_start_date - to_days({{ var('ascof_2d_link_days_before') }})
        and cohort_discharges.discharge_date
        <= clusters.cluster_start_date + to_days({{ var('ascof_2d_link_days_after') }})
        and cohort_discharges.admission_date <= clusters.cluster_start_date

),

linked as (

    select
        *,
        discharge_date + to_days({{ var('ascof_2d_followup_days') }}) as follow_up_end_date
    from candidate_links
    qualify row_number() over (
            partition by
                council_code, period_type, period_start, period_end, person_id,
                cluster_number
            order by discharge_date desc, admission_date desc, spell_id desc
        ) = 1

),

emergency_readmissions as (

    select distinct
        linked.council_code,
        linked.period_type,
        linked.period_end,
        linked.person_id,
        linked.cluster_number
    from linked
    inner join all_spells
        on linked.council_code = all_spells.council_code
            and linked.person_id = all_spells.person_id
    where all_spells.admission_date > linked.discharge_date
        and all_spells.admission_date > linked.cluster_start_date
        and all_spells.admission_date <= linked.follow_up_end_date
        and all_spells.admission_date < all_spells.discharge_date
        and all_spells.management_type in (
            select code from outcome_codes
            where outcome = 'emergency_readmission' and field = 'management_type'
        )
        and all_spells.discharge_method not in (
            select code from outcome_codes
            where outcome = 'readmission_excluded' and field = 'discharge_method'
        )

),

deaths_in_hospital as (

    select distinct
        linked.council_code,
        linked.period_type,
        linked.period_end,
        linked.person_id,
        linked.cluster_number
    from linked
    inner join all_spells
        on linked.council_code = all_spells.council_code
            and linked.person_id = all_spells.person_id
    where all_spells.admission_date >= linked.discharge_date
        and all_spells.discharge_date <= linked.follow_up_end_date
        and all_spells.discharge_method in (
            select code from outcome_codes
            where outcome = 'died_in_hospital' and field = 'discharge_method'
        )

),

long_term_care_starts as (

    select distinct
        linked.council_code,
        linked.period_type,
        linked.period_end,
        linked.person_id,
        linked.cluster_number
    from linked
    inner join events
        on linked.council_code = events.council_code
            and linked.person_id = events.person_id
    inner join long_term_services
        on events.service_type = long_term_services.service_type
    where events.event_type = '{{ var("service_event_type") }}'
        and events.event_start_date between linked.discharge_date and linked.follow_up_end_date

),

flagged as (

    select
        linked.council_code,
        linked.period_type,
        linked.period_start,
        linked.period_end,
        linked.person_id,
        linked.cluster_number,
        linked.cluster_start_date,
        linked.spell_id,
        linked.admission_date,
        linked.discharge_date,
        linked.age_at_discharge,
        cast(linked.follow_up_end_date as date) as follow_up_end_date,
        emergency_readmissions.person_id is not null as was_readmitted_in_emergency,
        coalesce(
            deaths.date_of_death between linked.discharge_date and linked.follow_up_end_date,
            false
        ) or deaths_in_hospital.person_id is not null as died,
        long_term_care_starts.person_id is not null as started_long_term_care
    from linked
    left join emergency_readmissions
        on linked.council_code = emergency_readmissions.council_code
            and linked.period_type = emergency_readmissions.period_type
            and linked.period_end = emergency_readmissions.period_end
            and linked.person_id = emergency_readmissions.person_id
            and linked.cluster_number = emergency_readmissions.cluster_number
    left join deaths_in_hospital
        on linked.council_code = deaths_in_hospital.council_code
            and linked.period_type = deaths_in_hospital.period_type
            and linked.period_end = deaths_in_hospital.period_end
            and linked.person_id = deaths_in_hospital.person_id
            and linked.cluster_number = deaths_in_hospital.cluster_number
    left join long_term_care_starts
        on linked.council_code = long_term_care_starts.council_code
            and linked.period_type = long_term_care_starts.period_type
            and linked.period_end = long_term_care_starts.period_end
            and linked.person_id = long_term_care_starts.person_id
            and linked.cluster_number = long_term_care_starts.cluster_number
    left join deaths
        on linked.council_code = deaths.council_code
            and linked.person_id = deaths.person_id

)

select
    *,
    not(was_readmitted_in_emergency or died or started_long_term_care) as remained_in_community
from flagged
