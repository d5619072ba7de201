-- SALT LTS004 people: adults aged 18 to 64 whose primary support reason (as deduplicated for
-- LTS001a) is Learning Disability Support, in long-term Nursing, Residential or Community
-- support during the financial year (reference §2.5), with their latest accommodation and
-- employment status. Each status is chosen on its own: a known value beats Unknown (a blank
-- counts as Unknown), then the latest start date. The statuses come from any of the person's
-- service-user events that started by the year end: NHSE does not say which events it reads
-- [U]; this follows DHSC's latest-person-details approach (as ASCOF 2E does). A remaining tie
-- takes the first value alphabetically so the result is repeatable.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

people as not materialized (

    select * from {{ ref('int_salt_lts001_people_deduplicated') }}
    where primary_support_reason
        = '{{ var("salt_learning_disability_reason", "Learning Disability Support") }}'
        and {{ councils }}
        and age_band = '18 to 64'
        and setting in ('Nursing', 'Residential', 'Community')

),

events as (

    select * from {{ ref('int_cld_events_deduplicated') }}
    where client_type = '{{ var("service_user_client_type") }}'
        and {{ councils }}

),

person_events as (

    select
        people.council_code,
        people.period_end,
        people.person_id,
        coalesce(events.accommodation_status, 'Unknown') as accommodation_status,
        coalesce(events.employment_status, 'Unknown') as employment_status,
        events.event_start_date
    from people
    inner join events
        on people.council_code = events.council_code
            and people.person_id = events.person_id
            and people.period_end >= events.event_start_date

),

statuses_ranked as (

    select
        *,
        row_number() over (
            partition by council_code, period_end, person_id
            order by
                accommodation_status = 'Unknown', event_start_date desc, accommodation_status asc
        ) as accommodation_rank,
        row_number() over (
            partition by council_code, period_end, person_id
            order by employment_status = 'Unknown', event_start_date desc, employment_status asc
        ) as employment_rank
    from person_events

)

select
    people.council_code,
    people.period_type,
    people.period_start,
    people.period_end,
    people.person_id,
    people.setting,
    accommodation.accommodation_status,
    employment.employment_status
from people
inner join statuses_ranked as accommodation
    on people.council_code = accommodation.council_code
        and people.period_end = accommodation.period_end
        and people.person_id = accommodation.person_id
        and accommodation.accommodation_rank = 1
inner join statuses_ranked as employment
    on people.council_code = employment.council_code
        and people.period_end = employment.period_end
        and people.person_id = employment.person_id
        and employment.employment_rank = 1
