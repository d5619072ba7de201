-- ASCOF 2E: an accommodation status presumed from services for clients whose latest status is
-- "Unknown" (not recorded, invalid, or conflicting), as DHSC's Create_personal_details_table
-- does. One row per council, period and such client, whether or not a status could be presumed.
-- Which statuses can be presumed is DHSC's own construction ("not in spec"): the reference
-- (section 1.4, 2E) states only that unknowns are inferred from services where possible.
--   1. Take the person's latest services that started by the period end (any service, as
--      DHSC): latest end first (open services first), then the highest service type in
--      seeds/ascof_2e_service_type_hierarchy.csv (types not listed rank last and tell nothing),
--      then services whose component indicates accommodation (a component named in
--      seeds/ascof_2e_presumed_accommodation.csv), then the latest start. Ties are all kept.
--   2. Of the tied services, the service type is the listed one; the component is the one
--      accommodation-indicating component, or none if there is none or several disagree.
--   3. The first rule of seeds/ascof_2e_presumed_accommodation.csv (by rule_order) that matches
--      gives the status: "*" matches anything, "(none)" matches no component. No match leaves
--      the status "Unknown".
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

details as not materialized (

    select * from {{ ref('int_ascof_2e_client_details_selected') }}
    where reported_accommodation_status = '{{ var("unknown_accommodation_status") }}'
        and {{ councils }}

),

events as (

    select * from {{ ref('int_cld_events_deduplicated') }}
    where {{ councils }}

),

service_types as (

    select * from {{ ref('ascof_2e_service_type_hierarchy') }}

),

presumption_rules as (

    select * from {{ ref('ascof_2e_presumed_accommodation') }}

),

indicating_components as (

    select distinct service_component
    from presumption_rules
    where service_component not in ('*', '(none)')

),

client_services as (

    select
        details.council_code,
        details.period_type,
        details.period_end,
        details.person_id,
        events.event_start_date,
        events.derived_event_end_date,
        service_types.service_type,
        service_types.service_type_rank,
        indicating_components.service_component,
        indicating_components.service_component is not null as indicates_accommodation
    from details
    inner join events
        on details.council_code = events.council_code
            and details.person_id = events.person_id
    left join service_types
        on events.service_type = service_types.service_type
    left join indicating_components
        on events.service_component = indicating_components.service_component
    where events.event_type = '{{ var("service_event_type") }}'
    {%- if var('ascof_2e_person_details_as_at_period_end') %}
        and events.event_start_date <= details.period_end
        {%- endif %}

),

latest_services as (

    select *
    from client_services
    qualify dense_rank() over (
            partition by council_code, period_type, period_end, person_id
            order by
                derived_event_end_date desc nulls first,
                service_type_rank asc nulls last,
                indicates_accommodation desc,
                event_start_date desc
        ) = 1

),

latest_service_summary as (

    -- Tied services share one service type rank, so at most one listed service type remains.
    select
        council_code,
        period_type,
        period_end,
        person_id,
        any_value(service_type) as service_type,
        case
            when count(distinct service_component) = 1 then any_value(service_component)
        end as service_component
    from latest_services
    group by all

),

presumed as (

    select
        summary.council_code,
        summary.period_type,
        summary.period_end,
        summary.person_id,
        summary.service_type,
        summary.service_component,
        presumption_rules.presumed_accommodation_status
    from latest_service_summary as summary
    left join presumption_rules
        on presumption_rules.service_type in ('*', summary.service_type)
            and presumption_rules.service_component
            in ('*', coalesce(summary.service_component, '(none)'))
    qualify row_number() over (
            partition by
                summary.council_code, summary.period_type, summary.period_end, summary.person_id
            order by presumption_rules.rule_order
        ) = 1

)

select
    details.council_code,
    details.period_type,
    details.period_end,
    details.person_id,
    presumed.service_type as latest_service_type,
    presumed.service_component as latest_service_component,
    coalesce(
        presumed.presumed_accommodation_status, '{{ var("unknown_accommodation_status") }}'
    ) as presumed_accommodation_status
from details
left join presumed
    on details.council_code = presumed.council_code
        and details.period_type = presumed.period_type
        and details.period_end = presumed.period_end
        and details.person_id = presumed.person_id
