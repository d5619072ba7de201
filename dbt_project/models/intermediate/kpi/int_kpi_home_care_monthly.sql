-- Home care at each month end (S001 Table 8, reference 2.3): a home-care package is a service
-- user's long-term service whose component is in seeds/kpi_code_lists.csv home_care_component
-- (Home support or domiciliary care), open on the month's last day. Client group, age and
-- death come from int_kpi_long_term_support_month_end, so a package counts only for a person
-- counted there.
--   AH02: OPPD people with a home-care package (people, not packages);
--   AH03, AH04: intensity, the average planned hours per week per package for physical
--   disability (18-64) and older people (65+). CLD gives "Planned units per week" in the unit of
--   "Cost Frequency (Unit Type)", so only packages costed by the hour (hourly_cost_frequency)
--   with planned units above 0 have hours; others are left out of both numerator (hours) and
--   denominator (packages) [INT: the unit reading is ours, the code list is U in the reference].
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

months as not materialized (

    select * from {{ ref('int_kpi_months_enumerated') }}
    where {{ councils }}

),

people as (

    select * from {{ ref('int_kpi_long_term_support_month_end') }}
    where {{ councils }}

),

events as (

    select * from {{ ref('int_cld_events_deduplicated') }}
    where {{ councils }}

),

packages as (

    select
        months.council_code,
        months.month,
        events.person_id,
        events.event_row_id,
        events.cost_frequency in {{ kpi_code_list('hourly_cost_frequency') }}
        and events.planned_units_per_week > 0 as has_planned_hours,
        events.planned_units_per_week
    from months
    inner join events
        on months.council_code = events.council_code
    where events.client_type = '{{ var("service_user_client_type") }}'
        and events.event_type = '{{ var("service_event_type") }}'
        and events.service_type in {{ kpi_code_list('long_term_service_type') }}
        and events.service_component in {{ kpi_code_list('home_care_component') }}
        and events.event_start_date <= months.month_end
        and (
            events.derived_event_end_date is null
            or events.derived_event_end_date >= months.month_end
        )

),

packages_grouped as (

    select
        packages.*,
        people.client_group,
        people.division
    from packages
    inner join people
        on packages.council_code = people.council_code
            and packages.month = people.month
            and packages.person_id = people.person_id

),

aggregated as (

    select
        council_code,
        month,
        count(distinct person_id) filter (where division = 'OPPD') as oppd_people,
        sum(planned_units_per_week) filter (
            where client_group = 'Physical disability' and has_planned_hours
        ) as pd_hours,
        count(*) filter (where client_group = 'Physical disability' and has_planned_hours)
            as pd_packages,
        sum(planned_units_per_week) filter (
            where client_group = 'Older people' and has_planned_hours
        ) as op_hours,
        count(*) filter (where client_group = 'Older people' and has_planned_hours)
            as op_packages
    from packages_grouped
    group by council_code, month

),

filled as (

    select
        months.council_code,
        months.month,
        cast(coalesce(aggregated.oppd_people, 0) as double) as oppd_people,
        cast(coalesce(aggregated.pd_hours, 0) as double) as pd_hours,
        cast(coalesce(aggregated.pd_packages, 0) as double) as pd_packages,
        cast(coalesce(aggregated.op_hours, 0) as double) as op_hours,
        cast(coalesce(aggregated.op_packages, 0) as double) as op_packages
    from months
    left join aggregated
        on months.council_code = aggregated.council_code
            and months.month = aggregated.month

)

select
    cast(council_code as varchar) as council_code,
    cast('AH02' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('month_end_snapshot' as varchar) as measure_basis,
    oppd_people as numerator,
    cast(null as double) as denominator,
    oppd_people as value
from filled

union all

select
    council_code, 'AH03', month, 'month_end_snapshot',
    pd_hours, pd_packages, {{ kpi_ratio('pd_hours', 'pd_packages') }}
from filled

union all

select
    council_code, 'AH04', month, 'month_end_snapshot',
    op_hours, op_packages, {{ kpi_ratio('op_hours', 'op_packages') }}
from filled
