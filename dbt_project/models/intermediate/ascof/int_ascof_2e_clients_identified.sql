-- ASCOF 2E cohort (DHSC Create_ASCOF_2E_2425_Onwards): service users with any long-term support
-- (nursing, residential, community or prison) overlapping each reporting period, one row per
-- council, period and person. The latest capped end of those services is the date age is taken
-- at: an open service, or one ending after the period, counts as ending at the period end.
with

periods as (

    select * from {{ ref('int_reporting_periods_enumerated') }}

),

events as (

    select * from {{ ref('int_cld_events_deduplicated') }}

),

service_types as (

    select * from {{ ref('ascof_2e_service_type_hierarchy') }}
    where is_long_term_support

),

long_term_services as (

    select
        periods.council_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        events.person_id,
        least(coalesce(events.derived_event_end_date, periods.period_end), periods.period_end)
            as capped_service_end_date
    from events
    inner join periods
        on events.council_code = periods.council_code
    inner join service_types
        on events.service_type = service_types.service_type
    where events.event_type = '{{ var("service_event_type") }}'
        and events.client_type = '{{ var("service_user_client_type") }}'
        and events.event_start_date <= periods.period_end
        and (
            events.derived_event_end_date is null
            or events.derived_event_end_date >= periods.period_start
        )
        -- DHSC drops services whose end (corrected to the date of death) is before their start.
        and (
            events.derived_event_end_date is null
            or events.derived_event_end_date >= events.event_start_date
        )

)

select
    council_code,
    period_type,
    period_start,
    period_end,
    person_id,
    max(capped_service_end_date) as latest_capped_service_end_date
from long_term_services
group by all
