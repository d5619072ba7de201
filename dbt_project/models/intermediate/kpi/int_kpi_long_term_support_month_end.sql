-- People in long-term support on the last day of each month: the population of every
-- month-end snapshot KPI (AH O10-O13, AH02-AH10, AH14, AH20, AH24). One row per council, month
-- and service user with a long-term service (seeds/kpi_code_lists.csv long_term_service_type)
-- open on the month's last day: started by then and ending on it, after it, or not at all. A
-- service that ended the day before is not open. The end date is already corrected to the date
-- of death (int_cld_events_selected), and a person whose death any of their records gives
-- before the month end is out.
--   * setting: the highest of the open services in seeds/ascof_3d_setting_hierarchy.csv
--     (Nursing > Residential > Community > Prison), as SALT LTS001b and ASCOF 3D place people;
--   * has_direct_payment: any open service is a direct payment (component or mechanism);
--   * primary support reason: of the open services, a known reason beats Unknown (a blank is
--     Unknown), then the latest loaded, then the latest start, then alphabetical (as SALT);
--   * age at the month end from the person's birth month (int_cld_person_details, resolved
--     across all their records as DHSC does);
--   * client group and division from seeds/kpi_client_groups.csv by reason and age; none when
--     the age is unknown or the pair is not listed (such people count only in "all" KPIs);
--   * accommodation status: the latest known (not blank, not Unknown) on any of the person's
--     service-user records starting by the month end, else Unknown (as SALT LTS004).
--
-- Incremental by council (macros/incremental_by_selection.sql): a council's rows read only its
-- own months, deduplicated events and people (every join and window is within a council), so a
-- night rebuilds whole only the councils whose selection slices changed since this table was
-- built, and leaves the others as a full rebuild would make them.
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

months as (

    select * from {{ ref('int_kpi_months_enumerated') }}
    where {{ councils }}

),

events as not materialized (

    select * from {{ ref('int_cld_events_deduplicated') }}
    where client_type = '{{ var("service_user_client_type") }}'
        and {{ councils }}

),

hierarchy as (

    select * from {{ ref('ascof_3d_setting_hierarchy') }}

),

client_groups as (

    select * from {{ ref('kpi_client_groups') }}

),

person_details as (

    select * from {{ ref('int_cld_person_details') }}
    where {{ councils }}

),

open_services as (

    select
        months.council_code,
        months.month,
        months.month_end,
        events.person_id,
        events.service_type,
        events.primary_support_reason,
        events.loaded_at,
        events.event_start_date,
        -- A direct-payment component is a direct payment whatever the mechanism says (ASCOF 3D).
        case
            when events.service_component in {{ kpi_code_list('direct_payment', 'Service Component') }}
                then '{{ var("ascof_direct_payment_component") }}'
            else events.delivery_mechanism
        end as effective_delivery_mechanism,
        coalesce(
            events.service_component in {{ kpi_code_list('direct_payment', 'Service Component') }}
            or events.delivery_mechanism in {{ kpi_code_list('direct_payment', 'Delivery Mechanism') }},
            false
        ) as is_direct_payment
    from months
    inner join events
        on months.council_code = events.council_code
    where events.event_type = '{{ var("service_event_type") }}'
        and events.service_type in {{ kpi_code_list('long_term_service_type') }}
        and events.event_start_date <= months.month_end
        and (
            events.derived_event_end_date is null
            or events.derived_event_end_date >= months.month_end
        )

),

ranked as (

    select
        open_services.*,
        coalesce(exact_match.setting_rank, fallback.setting_rank) as setting_rank
    from open_services
    left join hierarchy as fallback
        on open_services.service_type = fallback.service_type
            and fallback.delivery_mechanism is null
    left join hierarchy as exact_match
        on open_services.service_type = exact_match.service_type
            and open_services.effective_delivery_mechanism = exact_match.delivery_mechanism

),

people as (

    -- One pass over the open services: the reason's ranking is the key of an arg_min, not a
    -- window over a second read of them (DuckDB copied the open services to read them twice).
    select
        council_code,
        month,
        month_end,
        person_id,
        min(setting_rank) as setting_rank,
        bool_or(is_direct_payment) as has_direct_payment,
        arg_min(
            coalesce(primary_support_reason, 'Unknown'),
            {
                'is_unknown': coalesce(primary_support_reason, 'Unknown') = 'Unknown',
                'latest_loaded_first': -epoch_us(loaded_at),
                'latest_start_first': -epoch_us(event_start_date),
                'reason': coalesce(primary_support_reason, 'Unknown')
            }
        ) as primary_support_reason
    from ranked
    group by council_code, month, month_end, person_id

),

accommodation_known as (

    {{ known_status_timeline('events', 'accommodation_status') }}

),

aged as (

    select
        people.*,
        cast({{ age_in_years('person_details.birth_month', 'people.month_end') }} as integer)
            as age_at_month_end
    from people
    inner join person_details
        on people.council_code = person_details.council_code
            and people.person_id = person_details.person_id
    where (
        person_details.date_of_death is null
        or person_details.date_of_death >= people.month_end
    )
    -- Adults only, as SALT; people of unknown age stay (in no client group).
    and (
        person_details.birth_month is null
        or {{ age_in_years('person_details.birth_month', 'people.month_end') }}
        >= (select min(min_age) from {{ ref('ref_age_bands') }})
    )

)

select
    aged.council_code,
    aged.month,
    aged.month_end,
    aged.person_id,
    aged.age_at_month_end,
    aged.primary_support_reason,
    client_groups.client_group,
    client_groups.division,
    setting.setting,
    aged.has_direct_payment,
    coalesce(accommodation_known.accommodation_status, 'Unknown') as accommodation_status
from aged
inner join hierarchy as setting
    on aged.setting_rank = setting.setting_rank
left join client_groups
    on aged.primary_support_reason = client_groups.primary_support_reason
        and aged.age_at_month_end >= client_groups.min_age
        and (client_groups.max_age is null or aged.age_at_month_end <= client_groups.max_age)
left join accommodation_known
    on aged.council_code = accommodation_known.council_code
        and aged.person_id = accommodation_known.person_id
        and aged.month_end >= accommodation_known.event_start_date
        and (
            accommodation_known.next_start_date is null
            or aged.month_end < accommodation_known.next_start_date
        )
