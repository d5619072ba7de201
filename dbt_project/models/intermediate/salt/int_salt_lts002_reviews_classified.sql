-- SALT LTS002a/LTS002b reviews (reference §2.5 gives the approach only, no code; every choice
-- below that the reference does not state is marked [U]). One row per council, financial year
-- and review of a long-term support client:
--   * reviews: service users' Review events ending in the financial year, of people in LTS001a
--     that year (int_salt_lts001_people_deduplicated) [U: the reference says "reviews of
--     LTS001a clients", not which reviews count; completed in the year is SALT's usual rule];
--   * review_type from seeds/salt_lts002_review_reasons.csv: Planned, Unplanned (the six
--     "Unplanned - ..." reasons) or Short term ("Review of short term support", not a review of
--     long-term support: left out); a blank or unlisted reason is "Unknown" [U];
--   * method of review as recorded, blank "Unknown": the reference names the methods "Service
--     User Only" and "Service User and Carer" without saying whether they filter or break down
--     the table [U], so it is kept as a breakdown;
--   * sequel [U]: the highest long-term service (seeds/salt_lts002_sequel_services.csv) in the
--     review's sequel chain (macro salt_sequel_chain: first event within
--     var('salt_lts002_sequel_window_days') days of the review end, gaps of at most
--     var('salt_lts002_chain_gap_days'), another review stops the chain), else the review's own
--     outcome. "LTS increased / decreased / suspended" cannot be derived (reference §2.5);
--   * is_care_home_admission [U]: the sequel is a care-home setting (Nursing or Residential)
--     and the person had no care-home service open at the review start.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

people as (

    select * from {{ ref('int_salt_lts001_people_deduplicated') }}
    where {{ councils }}

),

events as not materialized (

    select * from {{ ref('int_salt_events_prepared') }}
    where {{ councils }}

),

review_reasons as (

    select * from {{ ref('salt_lts002_review_reasons') }}

),

sequel_services as (

    select * from {{ ref('salt_lts002_sequel_services') }}

),

reviews as (

    select
        people.council_code,
        people.period_type,
        people.period_start,
        people.period_end,
        people.person_id,
        events.event_row_id as review_event_row_id,
        events.event_start_date as review_start_date,
        events.event_end_date as review_end_date,
        events.event_end_date as anchor_end_date,
        coalesce(events.review_reason, 'Unknown') as review_reason,
        coalesce(review_reasons.review_type, 'Unknown') as review_type,
        coalesce(events.method_of_review, 'Unknown') as method_of_review,
        events.event_outcome as review_outcome
    from people
    inner join events
        on people.council_code = events.council_code
            and people.person_id = events.person_id
            and events.event_end_date between people.period_start and people.period_end
    left join review_reasons
        on events.review_reason = review_reasons.review_reason
    where events.event_type = '{{ var("review_event_type") }}'
        and coalesce(review_reasons.review_type, 'Unknown') <> 'Short term'

),

chain as (

    {{ salt_sequel_chain(
        'reviews', 'events', ['council_code', 'person_id', 'review_event_row_id'],
        var('salt_lts002_sequel_window_days'), var('salt_lts002_chain_gap_days'),
        "events.event_type = '" ~ var('review_event_type') ~ "'"
    ) }}

),

service_sequels as (

    select
        chain.review_event_row_id,
        sequel_services.service_type,
        sequel_services.is_care_home
    from chain
    inner join sequel_services
        on chain.sequel_service_type = sequel_services.service_type
            and chain.sequel_event_type = '{{ var("service_event_type") }}'
    qualify row_number() over (
            partition by chain.review_event_row_id
            order by
                sequel_services.service_rank, chain.sequel_event_start_date,
                chain.sequel_event_row_id
        ) = 1

),

in_care_home_at_review as (

    select distinct reviews.review_event_row_id
    from reviews
    inner join events
        on reviews.council_code = events.council_code
            and reviews.person_id = events.person_id
    inner join sequel_services
        on events.service_type = sequel_services.service_type
            and sequel_services.is_care_home
    where events.event_type = '{{ var("service_event_type") }}'
        and events.event_start_date <= reviews.review_start_date
        and (events.event_end_date is null or events.event_end_date >= reviews.review_start_date)

)

select
    reviews.council_code,
    reviews.period_type,
    reviews.period_start,
    reviews.period_end,
    reviews.person_id,
    reviews.review_event_row_id,
    reviews.review_start_date,
    reviews.review_end_date,
    reviews.review_reason,
    reviews.review_type,
    reviews.method_of_review,
    coalesce(service_sequels.service_type, reviews.review_outcome) as sequel,
    coalesce(
        service_sequels.is_care_home and in_care_home_at_review.review_event_row_id is null,
        false
    ) as is_care_home_admission
from reviews
left join service_sequels
    on reviews.review_event_row_id = service_sequels.review_event_row_id
left join in_care_home_at_review
    on reviews.review_event_row_id = in_care_home_at_review.review_event_row_id
