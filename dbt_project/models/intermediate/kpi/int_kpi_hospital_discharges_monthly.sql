-- Kent AH H19 (discharges from hospital) and AH H20 (discharges that result in long-term care),
-- counted in the month of discharge, from the hospital discharge feed linked to CLD services.
--
-- A discharge is a spell ending with the patient alive: discharge methods
-- var('kpi_hospital_died_discharge_methods') (died, stillbirth) and destinations
-- var('kpi_hospital_died_discharge_destinations') (died) are not discharges from hospital.
-- It results in long-term care when the same person (NHS-number key, equal to the CLD
-- person_id) starts a service-user service of a type in var('kpi_h20_long_term_care_service_types')
-- (long-term residential, nursing or community support) with the same council on the discharge
-- day or up to var('kpi_h20_long_term_care_window_days') days after it. A service already open
-- before the discharge does not count (it did not result from it), and a spell whose NHS number
-- was missing or invalid (person_id null) can never link, so counts as a discharge only.
with

months as (

    select * from {{ ref('int_kpi_feed_months_enumerated') }}
    where feed = '{{ var("hospital_feed") }}'

),

discharges as not materialized (

    select * from {{ ref('int_hospital_discharges_deduplicated') }}

),

events as (

    select * from {{ ref('int_cld_events_deduplicated') }}

),

live_discharges as (

    select council_code, spell_id, person_id, discharge_date
    from discharges
    where discharge_method not in (
            {%- for code in var('kpi_hospital_died_discharge_methods') %}
                '{{ code }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )
        and discharge_destination not in (
            {%- for code in var('kpi_hospital_died_discharge_destinations') %}
                '{{ code }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )

),

long_term_starts as (

    select council_code, person_id, event_start_date
    from events
    where event_type = '{{ var("service_event_type") }}'
        and client_type = '{{ var("service_user_client_type") }}'
        and service_type in (
            {%- for service_type in var('kpi_h20_long_term_care_service_types') %}
                '{{ service_type }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )

),

discharges_classified as (

    select
        live_discharges.council_code,
        live_discharges.discharge_date,
        exists(
            select 1 from long_term_starts
            where long_term_starts.council_code = live_discharges.council_code
                and long_term_starts.person_id = live_discharges.person_id
                and long_term_starts.event_start_date between live_discharges.discharge_date
                and live_discharges.discharge_date
                + {{ var('kpi_h20_long_term_care_window_days') }}
        ) as results_in_long_term_care
    from live_discharges

),

counted as (

    select
        months.council_code,
        months.month,
        count(discharges_classified.discharge_date) as discharges,
        count(*) filter (where discharges_classified.results_in_long_term_care)
            as discharges_to_long_term_care
    from months
    left join discharges_classified
        on months.council_code = discharges_classified.council_code
            and discharges_classified.discharge_date between months.month and months.month_end
    group by months.council_code, months.month

)

select
    cast(council_code as varchar) as council_code,
    cast('AH H19' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('in_month' as varchar) as measure_basis,
    cast(discharges as double) as numerator,
    cast(null as double) as denominator,
    cast(discharges as double) as value
from counted

union all

select
    cast(council_code as varchar) as council_code,
    cast('AH H20' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('in_month' as varchar) as measure_basis,
    cast(discharges_to_long_term_care as double) as numerator,
    cast(null as double) as denominator,
    cast(discharges_to_long_term_care as double) as value
from counted
