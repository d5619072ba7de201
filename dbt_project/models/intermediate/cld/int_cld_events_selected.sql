-- Events each reference period takes from its selected submission (DHSC methodology
-- 4-event-filtering), with the end date corrected to the date of death where the person died
-- first (5-data-cleaning):
--   requests, assessments and reviews ending within the reference period;
--   services starting by its end and ending within or after it, or still open.
-- A service open across several quarters appears once per quarter here and once after
-- int_cld_events_deduplicated.
with

selected as (

    select * from {{ ref('int_cld_submissions_selected') }}

),

events as (

    select
        *,
        case
            when date_of_death is not null
                and (event_end_date is null or date_of_death < event_end_date)
                then date_of_death
            else event_end_date
        end as derived_event_end_date
    from {{ ref('int_cld_events_mapped_to_r2') }}

)

select
    events.*,
    selected.reference_period_start_date,
    selected.reference_period_end_date
from events
inner join selected
    on events.load_id = selected.load_id
where
    (
        events.event_type = '{{ var("service_event_type") }}'
        and events.event_start_date <= selected.reference_period_end_date
        and (
            events.derived_event_end_date is null
            or events.derived_event_end_date >= selected.reference_period_start_date
        )
    )
    or (
        events.event_type <> '{{ var("service_event_type") }}'
        and events.event_start_date <= selected.reference_period_end_date
        and events.derived_event_end_date
            between selected.reference_period_start_date and selected.reference_period_end_date
    )
