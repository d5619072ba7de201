-- ASCOF 2A input (DHSC Create_ASCOF_2A_2425_Onwards, "#ASCOF2A_Build"): every service-user
-- event with a start date and an end (corrected to the date of death) that is not before it.
-- Each event carries what the later steps rank it by:
--   * the event outcome, or "Invalid and not mapped" when it is blank or not a Release 2 value
--     (DHSC coalesces uncleanable outcomes to that label);
--   * whether the outcome can classify a sequel: DHSC adds a penalty to the "Progress to ...",
--     "Continuation ..." and unmapped outcomes so that any usable outcome outranks them
--     (seeds/ascof_2a_sequel_outcomes.csv, is_unable_to_classify), then the outcome hierarchy
--     rank (seeds/cld_event_outcome_hierarchy.csv, 1 = highest);
--   * for services, the 2A service hierarchy (seeds/ascof_2a_service_hierarchy.csv) and
--     whether the service is reablement (ST-Max) or long-term support.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

events as (

    select * from {{ ref('int_cld_events_deduplicated') }}
    where {{ councils }}

),

outcome_hierarchy as (

    select * from {{ ref('cld_event_outcome_hierarchy') }}

),

sequel_outcomes as (

    select * from {{ ref('ascof_2a_sequel_outcomes') }}

),

service_hierarchy as (

    select * from {{ ref('ascof_2a_service_hierarchy') }}

),

service_user_events as (

    select
        events.council_code,
        events.person_id,
        events.event_row_id,
        events.event_type,
        events.event_start_date,
        events.derived_event_end_date as event_end_date,
        events.service_type,
        events.service_component,
        coalesce(
            outcome_hierarchy.event_outcome,
            '{{ var("ascof_2a_invalid_outcome", "Invalid and not mapped") }}'
        ) as event_outcome,
        outcome_hierarchy.hierarchy_rank as outcome_rank
    from events
    left join outcome_hierarchy
        on events.event_outcome = outcome_hierarchy.event_outcome
    where events.client_type = '{{ var("service_user_client_type") }}'
        and events.person_id is not null
        and events.event_start_date is not null
        and (
            events.derived_event_end_date is null
            or events.derived_event_end_date >= events.event_start_date
        )

)

select
    service_user_events.*,
    -- The seed lists every outcome; one it does not know cannot classify a sequel either.
    coalesce(not sequel_outcomes.is_unable_to_classify, false) as outcome_is_usable,
    coalesce(
        service_user_events.event_type = '{{ var("service_event_type") }}'
        and service_user_events.service_type
        = '{{ var("ascof_2a_reablement_service_type", "Short term support: ST-Max") }}',
        false
    ) as is_reablement,
    case
        when service_user_events.event_type = '{{ var("service_event_type") }}'
            then service_hierarchy.hierarchy_rank
    end as service_rank,
    coalesce(
        service_user_events.event_type = '{{ var("service_event_type") }}'
        and service_hierarchy.is_long_term_support,
        false
    ) as is_long_term_support
from service_user_events
left join sequel_outcomes
    on service_user_events.event_outcome = sequel_outcomes.sequel
left join service_hierarchy
    on service_user_events.service_type = service_hierarchy.service_type
