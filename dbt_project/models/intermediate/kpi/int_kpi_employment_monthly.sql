-- People in paid employment (S001 AH O07 learning disability, AH O09 mental health),
-- financial_year_to_date counts as the plan's "FY" outturn: people in long-term support at any
-- time from 1 April to the month end whose latest known employment status by the month end is
-- paid (seeds/kpi_code_lists.csv paid_employment), following SALT LTS004 (reference 2.5):
--   * long-term support: a service user's long-term service (long_term_service_type)
--     overlapping the year to date, for a person alive at its start and an adult (18+) at the
--     month end; a person of unknown age is in no client group;
--   * client group (seeds/kpi_client_groups.csv) from the support reason of those services (a
--     known reason beats Unknown, then the latest loaded, then the latest start, as SALT) and
--     the age at the month end (the oldest where birth months conflict);
--   * employment status: the latest known (not blank, not Unknown) on any of the person's
--     service-user records starting by the month end.
-- Reported for financial years that start inside the coverage.
--
-- Incremental by council (macros/incremental_by_selection.sql): a council's rows read only its
-- own months, deduplicated events and people (every join and window is within a council), so a
-- night rebuilds whole only the councils whose selection slices changed since this table was
-- built, and leaves the others as a full rebuild would make them.
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

months as not materialized (

    select * from {{ ref('int_kpi_months_enumerated') }}
    where financial_year_start >= coverage_start
        and {{ councils }}

),

events as not materialized (

    select * from {{ ref('int_cld_events_deduplicated') }}
    where client_type = '{{ var("service_user_client_type") }}'
        and {{ councils }}

),

client_groups as (

    select * from {{ ref('kpi_client_groups') }}

),

person_details as (

    select * from {{ ref('int_cld_person_details') }}
    where {{ councils }}

),

services_in_year as (

    select
        months.council_code,
        months.month,
        months.month_end,
        events.person_id,
        coalesce(events.primary_support_reason, 'Unknown') as primary_support_reason
    from months
    inner join events
        on months.council_code = events.council_code
    where events.event_type = '{{ var("service_event_type") }}'
        and events.service_type in {{ kpi_code_list('long_term_service_type') }}
        and events.event_start_date <= months.month_end
        and (
            events.derived_event_end_date is null
            or events.derived_event_end_date >= months.financial_year_start
        )
    qualify row_number() over (
            partition by months.council_code, months.month, events.person_id
            order by
                coalesce(events.primary_support_reason, 'Unknown') = 'Unknown',
                events.loaded_at desc,
                events.event_start_date desc,
                events.primary_support_reason asc
        ) = 1

),

people as (

    select
        services_in_year.*,
        cast(
            {{ age_in_years('person_details.birth_month', 'services_in_year.month_end') }} as integer
        )
            as age_at_month_end
    from services_in_year
    inner join person_details
        on services_in_year.council_code = person_details.council_code
            and services_in_year.person_id = person_details.person_id
    inner join months
        on services_in_year.council_code = months.council_code
            and services_in_year.month = months.month
    where person_details.date_of_death is null
        or person_details.date_of_death >= months.financial_year_start

),

employment_known as (

    {{ known_status_timeline('events', 'employment_status') }}

),

classified as (

    select
        people.council_code,
        people.month,
        people.person_id,
        client_groups.client_group,
        coalesce(
            employment_known.employment_status in {{ kpi_code_list('paid_employment') }}, false
        )
            as is_in_paid_employment
    from people
    inner join client_groups
        on people.primary_support_reason = client_groups.primary_support_reason
            and people.age_at_month_end >= client_groups.min_age
            and (client_groups.max_age is null or people.age_at_month_end <= client_groups.max_age)
    left join employment_known
        on people.council_code = employment_known.council_code
            and people.person_id = employment_known.person_id
            and people.month_end >= employment_known.event_start_date
            and (
                employment_known.next_start_date is null
                or people.month_end < employment_known.next_start_date
            )

),

counted as (

    select
        months.council_code,
        months.month,
        count(*) filter (
            where classified.client_group = 'Learning disability'
            and classified.is_in_paid_employment
        ) as learning_disability_employed,
        count(*) filter (
            where classified.client_group = 'Mental health' and classified.is_in_paid_employment
        ) as mental_health_employed
    from months
    left join classified
        on months.council_code = classified.council_code
            and months.month = classified.month
    group by all

)

select
    cast(council_code as varchar) as council_code,
    cast('AH O07' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('financial_year_to_date' as varchar) as measure_basis,
    cast(learning_disability_employed as double) as numerator,
    cast(null as double) as denominator,
    cast(learning_disability_employed as double) as value
from counted

union all

select
    council_code, 'AH O09', month, 'financial_year_to_date',
    cast(mental_health_employed as double), cast(null as double),
    cast(mental_health_employed as double)
from counted
