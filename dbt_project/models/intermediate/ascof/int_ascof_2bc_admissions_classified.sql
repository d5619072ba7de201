-- ASCOF 2B/2C: every long-term residential or nursing stay of a service user, with the age at
-- which it started and whether it is a new admission (DHSC Create_ASCOF_2B2C_2425_Onwards):
--   * the service type and the service component rules are in seeds/ascof_2bc_admission_rules.csv:
--     a component naming residential or nursing care, and never a short-term one. A blank
--     component is dropped, as DHSC's running code does (its NULL NOT LIKE '%Short%' is never
--     true); var('ascof_keep_blank_service_components') true keeps blanks, as the code's own
--     condition "Service_Component_Cleaned IS NULL OR ..." intends (_ascof_2bc.yml);
--   * a stay is a new admission unless an earlier stay of the same person (started strictly
--     before it) is still open or ended fewer than var('ascof_2bc_previous_stay_days') days
--     before it started; a stay that overlaps it counts as earlier too (negative gap);
--   * stays whose outcome is excluded (self-funded) are flagged, not dropped: DHSC leaves them
--     out of the admissions but still counts them as earlier stays.
-- Age and death are per person (int_cld_person_details, DHSC's latest person details).
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

events as (

    select * from {{ ref('int_cld_events_deduplicated') }}
    where {{ councils }}

),

rules as (

    select * from {{ ref('ascof_2bc_admission_rules') }}

),

people as (

    select * from {{ ref('int_cld_person_details') }}
    where {{ councils }}

),

stays as (

    select
        events.council_code,
        events.person_id,
        events.event_row_id,
        events.service_type,
        events.service_component,
        events.event_start_date,
        events.derived_event_end_date,
        events.event_outcome
    from events
    where events.event_type = '{{ var("service_event_type") }}'
        and events.client_type = '{{ var("service_user_client_type") }}'
        and events.service_type in (
            select value from rules
            where rule = 'service_type'
        )
        -- LIKE in DHSC's SQL Server collation ignores case, hence ilike.
        and (
            {% if var('ascof_keep_blank_service_components') -%}
            events.service_component is null or
            {% endif -%}
            exists (
                select 1 from rules
                where rules.rule = 'component_includes'
                    and events.service_component ilike '%' || rules.value || '%'
            )
        )
        and not exists (
            select 1 from rules
            where rules.rule = 'component_excludes'
                and events.service_component ilike '%' || rules.value || '%'
        )

),

classified as (

    select
        stays.*,
        not exists (
            select 1 from stays as earlier
            where earlier.council_code = stays.council_code
                and earlier.person_id = stays.person_id
                and earlier.event_start_date < stays.event_start_date
                and (
                    earlier.derived_event_end_date is null
                    or datediff('day', earlier.derived_event_end_date, stays.event_start_date)
                    < {{ var('ascof_2bc_previous_stay_days') }}
                )
        ) as is_new_admission,
        coalesce(
            stays.event_outcome in (
                select value from rules
                where rule = 'excluded_outcome'
            ),
            false
        ) as has_excluded_outcome
    from stays

)

select
    classified.council_code,
    classified.person_id,
    classified.event_row_id,
    classified.service_type,
    classified.service_component,
    classified.event_start_date,
    classified.derived_event_end_date,
    classified.event_outcome,
    people.birth_month,
    people.date_of_death,
    cast(
        {{ age_in_years('people.birth_month', 'classified.event_start_date') }} as integer
    ) as age_at_admission,
    classified.is_new_admission,
    classified.has_excluded_outcome
from classified
inner join people
    on classified.council_code = people.council_code
        and classified.person_id = people.person_id
