-- ASCOF 2E clients with their accommodation status, settled or not, support reason and age
-- band, one row per council, period and person (DHSC Create_ASCOF_2E_2425_Onwards):
--   * the status is the latest reported one, else the one presumed from services, else
--     "Unknown"; unknown statuses stay in the measures' denominators and are not settled;
--   * age is taken at the latest capped end of the person's long-term services;
--   * people who died before the period started and under-18s are left out; people with no
--     known age are kept with age band "Unknown", which no 2E measure counts (as DHSC).
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

details as (

    select * from {{ ref('int_ascof_2e_client_details_selected') }}
    where {{ councils }}

),

presumed as (

    select * from {{ ref('int_ascof_2e_accommodation_presumed') }}
    where {{ councils }}

),

accommodation_statuses as (

    select * from {{ ref('ascof_2e_accommodation_settled') }}

),

support_reasons as (

    select * from {{ ref('ascof_2e_primary_support_reasons') }}

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

),

classified as (

    select
        details.council_code,
        details.period_type,
        details.period_start,
        details.period_end,
        details.person_id,
        details.reported_accommodation_status,
        details.has_conflicting_accommodation,
        presumed.latest_service_type,
        presumed.latest_service_component,
        coalesce(presumed.presumed_accommodation_status, details.reported_accommodation_status)
            as accommodation_status,
        details.primary_support_reason,
        cast(
            {{ age_in_years('details.birth_month', 'details.latest_capped_service_end_date') }} as integer
        ) as age_at_latest_service_end
    from details
    left join presumed
        on details.council_code = presumed.council_code
            and details.period_type = presumed.period_type
            and details.period_end = presumed.period_end
            and details.person_id = presumed.person_id
    where details.date_of_death is null or details.date_of_death >= details.period_start

)

select
    classified.*,
    case
        when classified.reported_accommodation_status <> '{{ var("unknown_accommodation_status") }}'
            then 'Reported'
        when classified.accommodation_status <> '{{ var("unknown_accommodation_status") }}'
            then 'Presumed from services'
        else 'Unknown'
    end as accommodation_status_basis,
    coalesce(accommodation_statuses.is_settled, false) as is_settled,
    coalesce(support_reasons.is_learning_disability, false) as is_learning_disability,
    coalesce(age_bands.age_band, 'Unknown') as age_band
from classified
left join accommodation_statuses
    on classified.accommodation_status = accommodation_statuses.accommodation_status
left join support_reasons
    on classified.primary_support_reason = support_reasons.primary_support_reason
left join age_bands
    on classified.age_at_latest_service_end >= age_bands.min_age
        and (age_bands.max_age is null or classified.age_at_latest_service_end <= age_bands.max_age)
where classified.age_at_latest_service_end is null
    or classified.age_at_latest_service_end >= (select min(min_age) from age_bands)
