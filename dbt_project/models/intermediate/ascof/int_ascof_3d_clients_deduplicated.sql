-- ASCOF 3D, client parts: service users in long-term support open at each period end, one row
-- per person in their highest setting (DHSC Create_ASCOF_3D_2425_Onwards):
--   * a service component of "Direct payment" overrides the delivery mechanism;
--   * a delivery mechanism that is blank, invalid, or not expected for the service type
--     (any on nursing or residential care) falls back to the service type's blank row;
--   * the lowest setting_rank wins (Nursing 1 ... Community unknown 6 ... Prison unknown 9);
--   * where the same person has conflicting birth months the oldest age is taken;
--   * under-18s are excluded; people with no known age count in the total only.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

periods as (

    select * from {{ ref('int_reporting_periods_enumerated') }}
    where {{ councils }}

),

events as (

    select * from {{ ref('int_cld_events_deduplicated') }}
    where {{ councils }}

),

hierarchy as (

    select * from {{ ref('ascof_3d_setting_hierarchy') }}

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

),

services_open_at_period_end as (

    select
        periods.council_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        events.person_id,
        events.service_type,
        case
            when events.service_component = '{{ var("ascof_direct_payment_component") }}'
                then '{{ var("ascof_direct_payment_component") }}'
            else events.delivery_mechanism
        end as effective_delivery_mechanism,
        {{ age_in_years('events.birth_month', 'periods.period_end') }} as age_at_period_end
    from events
    inner join periods
        on events.council_code = periods.council_code
    where events.event_type = '{{ var("service_event_type") }}'
        and events.client_type = '{{ var("service_user_client_type") }}'
        and events.event_start_date <= periods.period_end
        and (
            events.derived_event_end_date is null
            or events.derived_event_end_date >= periods.period_end
        )
        and (events.date_of_death is null or events.date_of_death >= periods.period_end)
        -- DHSC drops services whose end (corrected to the date of death) is before their start.
        and (
            events.derived_event_end_date is null
            or events.derived_event_end_date >= events.event_start_date
        )

),

ranked_services as (

    select
        services.*,
        coalesce(exact_match.setting_rank, fallback.setting_rank) as setting_rank
    from services_open_at_period_end as services
    -- The fallback join also restricts to long-term service types: other types have no row.
    inner join hierarchy as fallback
        on services.service_type = fallback.service_type
            and fallback.delivery_mechanism is null
    left join hierarchy as exact_match
        on services.service_type = exact_match.service_type
            and services.effective_delivery_mechanism = exact_match.delivery_mechanism

),

people as (

    select
        council_code,
        period_type,
        period_start,
        period_end,
        person_id,
        min(setting_rank) as setting_rank,
        max(age_at_period_end) as age_at_period_end
    from ranked_services
    group by all

)

select
    people.council_code,
    people.period_type,
    people.period_start,
    people.period_end,
    people.person_id,
    people.setting_rank,
    hierarchy.setting,
    hierarchy.is_self_directed,
    hierarchy.is_direct_payment,
    cast(people.age_at_period_end as integer) as age_at_period_end,
    coalesce(age_bands.age_band, 'Unknown') as age_band
from people
inner join hierarchy
    on people.setting_rank = hierarchy.setting_rank
left join age_bands
    on people.age_at_period_end >= age_bands.min_age
        and (age_bands.max_age is null or people.age_at_period_end <= age_bands.max_age)
where people.age_at_period_end is null
    or people.age_at_period_end >= (select min(min_age) from age_bands)
