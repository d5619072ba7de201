-- One record per event (DHSC methodology 6-deduplication). An event is identified by council,
-- person, event type, client type and start date, plus the end date for non-service events, the
-- route of access for requests, the assessment type for assessments and the service type and
-- component for services (Event Reference is not used: DHSC found it unreliable). Of several
-- records the kept one is from the latest reference period, then open rather than ended, then
-- the latest end, then the highest outcome in seeds/cld_event_outcome_hierarchy.csv, then the
-- latest load.
with

events as (

    select * from {{ ref('int_cld_events_selected') }}

),

outcome_hierarchy as (

    select * from {{ ref('cld_event_outcome_hierarchy') }}

),

ranked as (

    select
        events.*,
        row_number() over (
            partition by
                events.council_code,
                events.person_id,
                events.event_type,
                events.client_type,
                events.event_start_date,
                case when events.event_type <> '{{ var("service_event_type") }}'
                    then events.derived_event_end_date end,
                events.request_route_of_access,
                events.assessment_type,
                events.service_type,
                events.service_component
            order by
                events.reference_period_end_date desc,
                events.derived_event_end_date desc nulls first,
                outcome_hierarchy.hierarchy_rank asc nulls last,
                events.loaded_at desc,
                events.event_row_id desc
        ) as duplicate_rank
    from events
    left join outcome_hierarchy
        on events.event_outcome = outcome_hierarchy.event_outcome

)

select * exclude (duplicate_rank, reference_period_start_date, reference_period_end_date)
from ranked
where duplicate_rank = 1
