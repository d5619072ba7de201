-- Enablement bypassers (S001 AH O06, reference 2.2), in_month: of the OPPD people who became
-- NEW long-term community clients in the month, the share who had no enablement first.
--   * a start: a service user's service whose type is in seeds/kpi_code_lists.csv
--     bypass_service_type (long-term community support), starting in the month;
--   * new: no other long-term service (long_term_service_type) of the person started before it
--     and was open, or ended fewer than var('kpi_new_client_lookback_days') days before it;
--   * bypassed: no reablement service (reablement_service_type, ST-Max) started before it and
--     was open at any time in the var('kpi_bypass_lookback_days') days before it (ended on
--     or after the start minus that many days, or still open);
--   * one row per person and month, from the person's first new start in the month; OPPD by the
--     start's support reason (blank = Unknown) and the age on the start date.
-- Reported for months whose look-backs start inside the coverage (services ending before it
-- are unknown). Both windows are ours [INT]: the plan says only "bypassers".
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

months as (

    select * from {{ ref('int_kpi_months_enumerated') }}
    where {{ councils }}

),

services as (

    select
        event_row_id,
        council_code,
        person_id,
        service_type,
        event_start_date,
        derived_event_end_date,
        coalesce(primary_support_reason, 'Unknown') as primary_support_reason
    from {{ ref('int_cld_events_deduplicated') }}
    where client_type = '{{ var("service_user_client_type") }}'
        and {{ councils }}
        and event_type = '{{ var("service_event_type") }}'

),

client_groups as (

    select * from {{ ref('kpi_client_groups') }}

),

birth_months as (

    select * from {{ ref('int_cld_person_details') }}
    where {{ councils }}

),

starts as (

    select * from services
    where service_type in {{ kpi_code_list('bypass_service_type') }}

),

existing_clients as (

    select distinct starts.event_row_id
    from starts
    inner join services as earlier
        on starts.council_code = earlier.council_code
            and starts.person_id = earlier.person_id
            and starts.event_row_id <> earlier.event_row_id
            and earlier.service_type in {{ kpi_code_list('long_term_service_type') }}
            and starts.event_start_date > earlier.event_start_date
            and (
                earlier.derived_event_end_date is null
                or datediff('day', earlier.derived_event_end_date, starts.event_start_date)
                < {{ var('kpi_new_client_lookback_days') }}
            )

),

enabled_first as (

    select distinct starts.event_row_id
    from starts
    inner join services as reablement
        on starts.council_code = reablement.council_code
            and starts.person_id = reablement.person_id
            and reablement.service_type in {{ kpi_code_list('reablement_service_type') }}
            and starts.event_start_date > reablement.event_start_date
            and (
                reablement.derived_event_end_date is null
                or datediff('day', reablement.derived_event_end_date, starts.event_start_date)
                <= {{ var('kpi_bypass_lookback_days') }}
            )

),

new_clients as (

    select
        starts.council_code,
        starts.person_id,
        starts.event_start_date,
        starts.primary_support_reason,
        enabled_first.event_row_id is null as is_bypasser
    from starts
    left join existing_clients
        on starts.event_row_id = existing_clients.event_row_id
    left join enabled_first
        on starts.event_row_id = enabled_first.event_row_id
    where existing_clients.event_row_id is null
    qualify row_number() over (
            partition by
                starts.council_code, starts.person_id, date_trunc('month', starts.event_start_date)
            order by starts.event_start_date, is_bypasser, starts.event_row_id
        ) = 1

),

oppd_new_clients as (

    select new_clients.*
    from new_clients
    inner join birth_months
        on new_clients.council_code = birth_months.council_code
            and new_clients.person_id = birth_months.person_id
    inner join client_groups
        on new_clients.primary_support_reason = client_groups.primary_support_reason
            and {{ age_in_years('birth_months.birth_month', 'new_clients.event_start_date') }}
            >= client_groups.min_age
            and (
                client_groups.max_age is null
                or {{ age_in_years('birth_months.birth_month', 'new_clients.event_start_date') }}
                <= client_groups.max_age
            )
    where client_groups.division = 'OPPD'

),

counted as (

    select
        months.council_code,
        months.month,
        count(*) filter (where oppd_new_clients.is_bypasser) as bypassers,
        count(oppd_new_clients.person_id) as new_clients
    from months
    left join oppd_new_clients
        on months.council_code = oppd_new_clients.council_code
            and oppd_new_clients.event_start_date between months.month and months.month_end
    where months.month - greatest(
            {{ var('kpi_new_client_lookback_days') }}, {{ var('kpi_bypass_lookback_days') }}
        ) >= months.coverage_start
    group by all

)

select
    cast(council_code as varchar) as council_code,
    cast('AH O06' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('in_month' as varchar) as measure_basis,
    cast(bypassers as double) as numerator,
    cast(new_clients as double) as denominator,
    {{ kpi_ratio('bypassers', 'new_clients', 100) }} as value
from counted
