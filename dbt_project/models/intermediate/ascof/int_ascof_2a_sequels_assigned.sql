-- ASCOF 2A step 3: the sequel of each cluster in the cohort, by the first rule that gives one
-- (DHSC Create_ASCOF_2A_2425_Onwards, section 2, "Sequel_Type"):
--   1  died within var('ascof_2a_sequel_window_days') days of the cluster end (or during it)
--      -> "NFA: Deceased";
--   2  the cluster outcome is "Admitted to hospital";
--   3  a service in the sequel window (below) -> its type, the highest in
--      seeds/ascof_2a_service_hierarchy.csv; an "Other short term" service with a short-term
--      residential or nursing component becomes "Short term support: Residential or Nursing
--      care" (seeds/ascof_2a_short_term_care_components.csv) and wins a tie;
--   4  the highest usable event outcome (lowest hierarchy rank) among
--      4a the cluster outcome,
--      4b outcomes of non-service events in the sequel window, except "NFA: Support ended as
--         planned" (DHSC: on a later event it is almost certainly not the reablement's outcome),
--      4c the outcome of the latest assessment or review inside the cluster that ended fewer than
--         var('ascof_2a_prior_assessment_days') days before the cluster end;
--      on a tie of rank the source is reported in the order 4a, 4b, 4c.
--      As in the DHSC code, the cluster outcome (4a) is only a candidate when the sequel window
--      is empty or holds a non-service event other than "NFA: Support ended as planned";
--   5  equipment supplied during the reablement (a service with component "Equipment" inside
--      the cluster) -> "Short term support: Ongoing low level";
--   6  otherwise the cluster outcome (normally one that cannot classify the sequel).
-- The sequel window holds the events that start on or after the cluster start and no more than
-- var('ascof_2a_sequel_window_days') days after its end, and end after it or are open (so a
-- service that started during the reablement and carries on counts); it stops before the next
-- reablement episode, which can only fall inside it if the window is set longer than the
-- cluster gap. "Inside the cluster" means starting on or after its start and ending after its
-- start (DHSC: not the assessment that led to the reablement) and on or before its end; the
-- cluster's own reablement episodes are not counted there.
-- Whether the sequel counts in the denominator and numerator is in
-- seeds/ascof_2a_sequel_outcomes.csv.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
{%- set ignored_outcome = var('ascof_2a_ignored_following_outcome', 'NFA: Support ended as planned') %}

with

clusters as not materialized (

    select * from {{ ref('int_ascof_2a_clusters_screened') }}
    where is_in_cohort
        and {{ councils }}

),

events as not materialized (

    select * from {{ ref('int_ascof_2a_events_prepared') }}
    where {{ councils }}

),

sequel_outcomes as (

    select * from {{ ref('ascof_2a_sequel_outcomes') }}

),

short_term_care_components as (

    select * from {{ ref('ascof_2a_short_term_care_components') }}

),

events_after_cluster as (

    select
        clusters.council_code,
        clusters.person_id,
        clusters.cluster_number,
        events.event_row_id,
        events.event_type,
        events.event_start_date,
        events.service_type,
        events.service_component,
        events.service_rank,
        events.event_outcome,
        events.outcome_is_usable,
        events.outcome_rank,
        events.is_reablement
    from clusters
    inner join events
        on clusters.council_code = events.council_code
            and clusters.person_id = events.person_id
    where events.event_start_date >= clusters.cluster_start_date
        and datediff('day', clusters.cluster_end_date, events.event_start_date)
        <= {{ var('ascof_2a_sequel_window_days') }}
        and (events.event_end_date is null or events.event_end_date > clusters.cluster_end_date)

),

sequel_window as (

    select *
    from events_after_cluster
    qualify coalesce(
            event_start_date < min(case when is_reablement then event_start_date end) over (
                partition by council_code, person_id, cluster_number
            ),
            true
        )

),

events_inside_cluster as (

    select
        clusters.council_code,
        clusters.person_id,
        clusters.cluster_number,
        clusters.cluster_end_date,
        events.event_row_id,
        events.event_type,
        events.event_end_date,
        events.service_component,
        events.event_outcome,
        events.outcome_is_usable,
        events.outcome_rank
    from clusters
    inner join events
        on clusters.council_code = events.council_code
            and clusters.person_id = events.person_id
    where not events.is_reablement
        and events.event_start_date >= clusters.cluster_start_date
        and events.event_end_date > clusters.cluster_start_date
        and events.event_end_date <= clusters.cluster_end_date

),

-- Rule 3.
service_sequels as (

    select
        sequel_window.council_code,
        sequel_window.person_id,
        sequel_window.cluster_number,
        coalesce(short_term_care_components.sequel, sequel_window.service_type) as sequel
    from sequel_window
    left join short_term_care_components
        on sequel_window.service_type = short_term_care_components.service_type
            and sequel_window.service_component = short_term_care_components.service_component
    where sequel_window.service_rank is not null
    qualify row_number() over (
            partition by
                sequel_window.council_code, sequel_window.person_id,
                sequel_window.cluster_number
            order by
                sequel_window.service_rank,
                short_term_care_components.sequel is null,
                sequel_window.event_row_id
        ) = 1

),

-- Rule 4.
window_contents as (

    select
        council_code,
        person_id,
        cluster_number,
        bool_or(
            event_type <> '{{ var("service_event_type") }}'
            and event_outcome <> '{{ ignored_outcome }}'
        ) as has_informative_event
    from sequel_window
    group by council_code, person_id, cluster_number

),

latest_assessment_or_review as (

    select council_code, person_id, cluster_number, event_outcome, outcome_rank
    from events_inside_cluster
    where event_type in (
            '{{ var("ascof_2a_outcome_event_types", ["Assessment", "Review"]) | join("', '") }}'  -- noqa: LT05
        )
        and outcome_is_usable
        and datediff('day', event_end_date, cluster_end_date)
        < {{ var('ascof_2a_prior_assessment_days') }}
    qualify row_number() over (
            partition by council_code, person_id, cluster_number
            order by event_end_date desc, outcome_rank asc, event_row_id desc
        ) = 1

),

outcome_candidates as (

    select
        clusters.council_code,
        clusters.person_id,
        clusters.cluster_number,
        '4a' as sequel_rule,
        clusters.cluster_outcome as sequel,
        clusters.cluster_outcome_rank as outcome_rank
    from clusters
    left join window_contents
        on clusters.council_code = window_contents.council_code
            and clusters.person_id = window_contents.person_id
            and clusters.cluster_number = window_contents.cluster_number
    where clusters.cluster_outcome_is_usable
        and coalesce(window_contents.has_informative_event, true)

    union all

    select council_code, person_id, cluster_number, '4b', event_outcome, outcome_rank
    from sequel_window
    where event_type <> '{{ var("service_event_type") }}'
        and event_outcome <> '{{ ignored_outcome }}'
        and outcome_is_usable

    union all

    select council_code, person_id, cluster_number, '4c', event_outcome, outcome_rank
    from latest_assessment_or_review

),

outcome_sequels as (

    select council_code, person_id, cluster_number, sequel_rule, sequel
    from outcome_candidates
    qualify row_number() over (
            partition by council_code, person_id, cluster_number
            order by outcome_rank, sequel_rule
        ) = 1

),

-- Rule 5.
equipment_sequels as (

    select distinct council_code, person_id, cluster_number
    from events_inside_cluster
    where event_type = '{{ var("service_event_type") }}'
        and service_component = '{{ var("ascof_2a_equipment_component", "Equipment") }}'

),

rule_hits as (

    select
        council_code, person_id, cluster_number, '1' as sequel_rule,
        '{{ var("ascof_2a_deceased_outcome", "NFA: Deceased") }}' as sequel
    from clusters
    where datediff('day', cluster_end_date, date_of_death)
        <= {{ var('ascof_2a_sequel_window_days') }}

    union all

    select council_code, person_id, cluster_number, '2', cluster_outcome
    from clusters
    where cluster_outcome = '{{ var("ascof_2a_hospital_outcome", "Admitted to hospital") }}'

    union all

    select council_code, person_id, cluster_number, '3', sequel
    from service_sequels

    union all

    select council_code, person_id, cluster_number, sequel_rule, sequel
    from outcome_sequels

    union all

    select
        council_code, person_id, cluster_number, '5',
        '{{ var("ascof_2a_equipment_sequel", "Short term support: Ongoing low level") }}'
    from equipment_sequels

    union all

    select council_code, person_id, cluster_number, '6', cluster_outcome
    from clusters

),

first_hits as (

    select *
    from rule_hits
    -- Rule codes sort in rule order: 1, 2, 3, 4a, 4b, 4c, 5, 6.
    qualify row_number() over (
            partition by council_code, person_id, cluster_number
            order by sequel_rule
        ) = 1

)

select
    clusters.council_code,
    clusters.person_id,
    clusters.cluster_number,
    clusters.cluster_start_date,
    clusters.cluster_end_date,
    clusters.cluster_outcome,
    clusters.age_at_cluster_end,
    clusters.age_band,
    first_hits.sequel_rule,
    first_hits.sequel,
    coalesce(sequel_outcomes.in_denominator, false) as in_denominator,
    coalesce(sequel_outcomes.in_numerator, false) as in_numerator
from clusters
inner join first_hits
    on clusters.council_code = first_hits.council_code
        and clusters.person_id = first_hits.person_id
        and clusters.cluster_number = first_hits.cluster_number
left join sequel_outcomes
    on first_hits.sequel = sequel_outcomes.sequel
