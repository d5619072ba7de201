-- Carers and the support they had (SALT LTS003 from CLD, reference §2.5; the cohort and
-- categories DHSC's ASCOF 3D carer measures use, Create_ASCOF_3D_2425_Onwards): unpaid carers'
-- events overlapping each reporting period (in year, not a snapshot), one row per carer in the
-- highest "Support Provided" category they had, whatever their age. SALT LTS003 reads the
-- financial years (int_salt_lts003_carers_classified); ASCOF 3D(1b)/(2b) every period, adults
-- only (int_ascof_3d_carers_deduplicated).
--   * a service component of "Direct payment" overrides the delivery mechanism, as for clients;
--   * each event is classified with seeds/ascof_3d_carer_support_mapping.csv ("*" matches any
--     value, "(none)" a blank); an event matching several rows, and a carer with several
--     events, take the highest support in seeds/ascof_3d_carer_support_hierarchy.csv. The
--     catch-all rows (unknown delivery mechanism, no direct support) rank below the specific
--     ones, so they only apply when nothing more specific does;
--   * events that match no row (for example a request with any outcome other than information
--     and advice) do not bring the carer into the cohort;
--   * a direct-to-carer service with a blank component and no direct payment drops out, as
--     in DHSC's running code (seeds column requires_service_component); var
--     ascof_keep_blank_service_components true keeps it (_ascof_3d_carers.yml);
--   * carers who died (int_cld_person_details, any of their records) before the period
--     started are out, as in DHSC;
--   * age is at the period end, the oldest where birth months conflict; null when no birth
--     month is recorded.
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

carer_client_types as (

    select * from {{ ref('ascof_3d_carer_client_types') }}

),

support_mapping as (

    select * from {{ ref('ascof_3d_carer_support_mapping') }}

),

hierarchy as (

    select * from {{ ref('ascof_3d_carer_support_hierarchy') }}

),

carer_events as (

    select
        periods.council_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        events.person_id,
        events.event_type,
        events.service_type,
        case
            when events.service_component = '{{ var("ascof_direct_payment_component") }}'
                then '{{ var("ascof_direct_payment_component") }}'
            else events.delivery_mechanism
        end as effective_delivery_mechanism,
        events.service_component,
        events.event_outcome,
        {{ age_in_years('events.birth_month', 'periods.period_end') }} as age_at_period_end
    from events
    inner join periods
        on events.council_code = periods.council_code
    inner join carer_client_types
        on events.client_type = carer_client_types.client_type
    where events.event_start_date <= periods.period_end
        and (
            events.derived_event_end_date is null
            or events.derived_event_end_date >= periods.period_start
        )
        -- DHSC: the person (int_cld_person_details) alive at the period start.
        and (events.date_of_death is null or events.date_of_death >= periods.period_start)
        -- DHSC drops events whose end (corrected to the date of death) is before their start.
        and (
            events.derived_event_end_date is null
            or events.derived_event_end_date >= events.event_start_date
        )

),

classified_events as (

    select
        carer_events.*,
        hierarchy.hierarchy_rank
    from carer_events
    inner join support_mapping
        on support_mapping.event_type in ('*', carer_events.event_type)
            and support_mapping.service_type in ('*', coalesce(carer_events.service_type, '(none)'))
            and support_mapping.delivery_mechanism
            in ('*', coalesce(carer_events.effective_delivery_mechanism, '(none)'))
            and support_mapping.event_outcome in (
                '*', coalesce(carer_events.event_outcome, '(none)')
            )
            {%- if not var('ascof_keep_blank_service_components') %}
                -- DHSC's running code: a blank component never passes NOT LIKE 'Direct payment'.
                and not (
                    support_mapping.requires_service_component
                    and carer_events.service_component is null
                )
            {%- endif %}
    inner join hierarchy
        on support_mapping.support_provided = hierarchy.support_provided

),

carers as (

    select
        council_code,
        period_type,
        period_start,
        period_end,
        person_id,
        min(hierarchy_rank) as hierarchy_rank,
        max(age_at_period_end) as age_at_period_end
    from classified_events
    group by all

)

select
    carers.council_code,
    carers.period_type,
    carers.period_start,
    carers.period_end,
    carers.person_id,
    carers.hierarchy_rank,
    hierarchy.support_provided,
    hierarchy.in_denominator,
    hierarchy.is_self_directed,
    hierarchy.is_direct_payment,
    cast(carers.age_at_period_end as integer) as age_at_period_end
from carers
inner join hierarchy
    on carers.hierarchy_rank = hierarchy.hierarchy_rank
