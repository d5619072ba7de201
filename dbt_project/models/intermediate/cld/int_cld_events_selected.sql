-- Events each selected file supplies for its reference period (DHSC FilterToEventsInPeriod):
--   * the end date is replaced by the date of death recorded on the row when the death falls
--     between the event's start and end, or after its start when the event is open;
--   * requests, assessments and reviews starting by the reference period end and ending (so
--     corrected) within it; services starting by its end and ending on or after its start, or
--     open;
--   * rows of a person whose recorded death is before the reference period start, or before
--     the event's start, are dropped.
-- unique_event_key identifies an event as DHSC's Der_Unique_Event_Ref does: council, person,
-- event type, client type, start date, and the end date for non-service events, the route of
-- access for requests, the assessment type for assessments, the service type and component for
-- services (Event Reference is not used: DHSC found it unreliable).
--
-- Incremental by selection slice (macros/incremental_by_selection.sql): a slice is one selected
-- file over one reference period (load_id, reference_period_start_date,
-- reference_period_end_date), and its rows depend on that file's events and that period only. A
-- night deletes the slices no longer selected (a file replaced for some quarters keeps a shorter
-- period: a new slice) and adds the selected slices this table does not hold; every other slice
-- is the same as a full rebuild would make it.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook=["{{ delete_slices_no_longer_selected() }}"],
) }}
{%- set slices = selection_slices_to_build() %}
with

selected_files as (

    select
        council_code,
        load_id,
        reference_period_start_date,
        reference_period_end_date
    from ({{ selected_slices_sql() }})
    where {{ slices.filter }}

),

events as (

    select
        *,
        case
            when date_of_death between event_start_date and event_end_date
                or (event_end_date is null and date_of_death > event_start_date)
                then date_of_death
            else event_end_date
        end as derived_event_end_date
    from {{ ref('int_cld_events_mapped_to_r2') }}
    where {{ slices.load_filter }}

),

in_period as (

    select
        events.*,
        selected_files.reference_period_start_date,
        selected_files.reference_period_end_date
    from events
    inner join selected_files
        on events.load_id = selected_files.load_id
    where events.event_start_date <= selected_files.reference_period_end_date
        and (
            (
                events.event_type = '{{ var("service_event_type") }}'
                and (
                    events.derived_event_end_date is null
                    or events.derived_event_end_date >= selected_files.reference_period_start_date
                )
            )
            or (
                events.event_type <> '{{ var("service_event_type") }}'
                and events.derived_event_end_date between selected_files.reference_period_start_date
                and selected_files.reference_period_end_date
            )
        )
        and (
            events.date_of_death is null
            or (
                events.date_of_death >= selected_files.reference_period_start_date
                and events.date_of_death >= events.event_start_date
            )
        )

)

select
    *,
    md5(to_json(struct_pack(
        council_code,
        person_id,
        event_type,
        client_type,
        event_start_date,
        non_service_end := case when event_type <> '{{ var("service_event_type") }}'
                then derived_event_end_date
        end,
        request_route := case when event_type = '{{ var("request_event_type") }}'
                then request_route_of_access
        end,
        assessment := case when event_type = '{{ var("assessment_event_type") }}'
                then assessment_type
        end,
        service := case when event_type = '{{ var("service_event_type") }}'
                then service_type
        end,
        component := case when event_type = '{{ var("service_event_type") }}'
                then service_component
        end
    ))::varchar) as unique_event_key
from in_period
