-- The latest person details of each ASCOF 2E client, as DHSC's latest-person-details table
-- (Create_personal_details_table) builds them, from every event of the person (any event type):
--   * accommodation status and primary support reason: a known value beats an unknown one (an
--     invalid value counts as "Unknown"; for the support reason, so does support to an unpaid
--     carer), then the latest reference period (the later submission), then the latest end
--     date (open events first), then the latest start date; where the records tied at the top
--     disagree, the value becomes "Unknown";
--   * birth month and date of death: the person's (int_cld_person_details).
-- DHSC builds one table from its whole joined extract and uses it for every period, so details
-- recorded after a period ended count for it too; that is the default here. With
-- var('ascof_2e_person_details_as_at_period_end') true each period reads only the events that
-- started by its end, ranked without the reference period (this project's earlier reading).
-- By default the details are therefore the same for every period: they are ranked once per
-- client, not once per client and period.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
{%- set per_period = var('ascof_2e_person_details_as_at_period_end') %}
{%- set grain = ['council_code', 'person_id'] + (['period_type', 'period_end'] if per_period else []) %}
with

clients as not materialized (

    select * from {{ ref('int_ascof_2e_clients_identified') }}
    where {{ councils }}

),

events as (

    select * from {{ ref('int_cld_events_deduplicated') }}
    where {{ councils }}

),

accommodation_statuses as (

    select * from {{ ref('ascof_2e_accommodation_settled') }}

),

support_reasons as (

    select * from {{ ref('ascof_2e_primary_support_reasons') }}

),

client_people as (

    select distinct {{ grain | join(', ') }}
    from clients

),

client_events as (

    select
        client_people.{{ grain | join(', client_people.') }},
        events.event_start_date,
        events.derived_event_end_date,
        events.reference_period_end_date,
        events.birth_month,
        events.date_of_death,
        coalesce(accommodation_statuses.is_known_status, false) as is_accommodation_known,
        case
            when accommodation_statuses.is_known_status then events.accommodation_status
            else '{{ var("unknown_accommodation_status") }}'
        end as accommodation_status,
        coalesce(support_reasons.is_known_reason, false) as is_support_reason_known,
        coalesce(support_reasons.primary_support_reason, 'Unknown') as primary_support_reason
    from client_people
    inner join events
        on client_people.council_code = events.council_code
            and client_people.person_id = events.person_id
    left join accommodation_statuses
        on events.accommodation_status = accommodation_statuses.accommodation_status
    left join support_reasons
        on events.primary_support_reason = support_reasons.primary_support_reason
    {%- if per_period %}
    where events.event_start_date <= client_people.period_end
    {%- endif %}

),

ranked as (

    select
        *,
        dense_rank() over (
            partition by {{ grain | join(', ') }}
            order by
                is_accommodation_known desc,
                {%- if not per_period %}
                    reference_period_end_date desc,
                {%- endif %}
                derived_event_end_date desc nulls first,
                event_start_date desc
        ) as accommodation_rank,
        dense_rank() over (
            partition by {{ grain | join(', ') }}
            order by
                is_support_reason_known desc,
                {%- if not per_period %}
                    reference_period_end_date desc,
                {%- endif %}
                derived_event_end_date desc nulls first,
                event_start_date desc
        ) as support_reason_rank
    from client_events

),

top_values as (

    -- The records tied at the top agree when their smallest and largest values are equal.
    select
        {{ grain | join(', ') }},
        min(accommodation_status) filter (where accommodation_rank = 1) as top_accommodation_min,
        max(accommodation_status) filter (where accommodation_rank = 1) as top_accommodation_max,
        min(primary_support_reason) filter (where support_reason_rank = 1) as top_reason_min,
        max(primary_support_reason) filter (where support_reason_rank = 1) as top_reason_max,
        min(birth_month) as birth_month,
        max(date_of_death) as date_of_death
    from ranked
    group by all

)

select
    council_code,
    clients.period_type,
    clients.period_start,
    clients.period_end,
    person_id,
    clients.latest_capped_service_end_date,
    case
        when top_values.top_accommodation_min = top_values.top_accommodation_max
            then top_values.top_accommodation_min
        else '{{ var("unknown_accommodation_status") }}'
    end as reported_accommodation_status,
    top_values.top_accommodation_min <> top_values.top_accommodation_max
        as has_conflicting_accommodation,
    case
        when top_values.top_reason_min = top_values.top_reason_max
            then top_values.top_reason_min
        else 'Unknown'
    end as primary_support_reason,
    top_values.birth_month,
    top_values.date_of_death
from clients
inner join top_values using ({{ grain | join(', ') }})  -- noqa: ST07
