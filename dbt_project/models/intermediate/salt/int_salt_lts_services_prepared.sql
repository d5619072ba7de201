-- Long-term services behind the SALT LTS tables (NHS England "Central Transformation Principles
-- - SALT", reference §2.5): service users' long-term Nursing, Residential, Community or Prison
-- services that overlap each financial year, for people alive at the year start (died on or
-- after it, or not dead). One row per service and year, ranked in the SALT setting hierarchy.
-- The hierarchy is the ASCOF 3D seed (Nursing > Residential > Community > Prison, and within
-- Community: direct payment > CASSR managed personal budget > CASSR commissioned > unknown), so
-- that LTS001b and ASCOF 3D place every person in the same setting.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

periods as (

    select * from {{ ref('int_reporting_periods_enumerated') }}
    -- SALT is an annual return: financial years only.
    where period_type = 'Financial year'
        and {{ councils }}

),

events as (

    select * from {{ ref('int_cld_events_deduplicated') }}
    where {{ councils }}

),

hierarchy as (

    select * from {{ ref('ascof_3d_setting_hierarchy') }}

),

services_in_period as (

    select
        periods.council_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        events.person_id,
        events.service_type,
        events.service_component,
        -- A direct-payment component is a direct payment whatever the mechanism says, as in
        -- ASCOF 3D (SALT's separate "Part direct payment" has no CLD equivalent).
        case
            when events.service_component = '{{ var("ascof_direct_payment_component") }}'
                then '{{ var("ascof_direct_payment_component") }}'
            else events.delivery_mechanism
        end as effective_delivery_mechanism,
        events.primary_support_reason,
        events.birth_month,
        events.event_start_date,
        events.derived_event_end_date,
        events.loaded_at,
        -- Spanning the period end: the LTS001b population.
        events.derived_event_end_date is null
        or events.derived_event_end_date >= periods.period_end as is_open_at_period_end
    from events
    inner join periods
        on events.council_code = periods.council_code
    where events.event_type = '{{ var("service_event_type") }}'
        and events.client_type = '{{ var("service_user_client_type") }}'
        and events.event_start_date <= periods.period_end
        and (
            events.derived_event_end_date is null
            or events.derived_event_end_date >= periods.period_start
        )
        and (events.date_of_death is null or events.date_of_death >= periods.period_start)

)

select
    services.*,
    coalesce(exact_match.setting_rank, fallback.setting_rank) as setting_rank
from services_in_period as services
-- The fallback join also restricts to long-term service types: other types have no row. A
-- blank, invalid or unexpected delivery mechanism falls back to the service type's blank row.
inner join hierarchy as fallback
    on services.service_type = fallback.service_type
        and fallback.delivery_mechanism is null
left join hierarchy as exact_match
    on services.service_type = exact_match.service_type
        and services.effective_delivery_mechanism = exact_match.delivery_mechanism
