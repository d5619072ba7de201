-- SALT LTS002b people: each LTS001c client (in long-term support for more than 12 months at
-- the financial year end, int_salt_lts001c_people_selected) once, with their latest review
-- ending in the year (latest end, then latest start) and its sequel, or
-- var('salt_not_reviewed'). The reference gives the approach only ("reviews of LTS001c
-- clients, with sequel"); counting each client once by their latest review, and listing the
-- clients not reviewed, is an interpretation [U].
with

people as (

    select * from {{ ref('int_salt_lts001c_people_selected') }}

),

reviews as (

    select * from {{ ref('int_salt_lts002_reviews_classified') }}

),

latest_reviews as (

    select *
    from reviews
    qualify row_number() over (
            partition by council_code, period_end, person_id
            order by review_end_date desc, review_start_date desc, review_event_row_id desc
        ) = 1

)

select
    people.council_code,
    people.period_type,
    people.period_start,
    people.period_end,
    people.person_id,
    latest_reviews.review_event_row_id,
    coalesce(latest_reviews.review_type, '{{ var("salt_not_reviewed") }}') as review_type,
    coalesce(latest_reviews.sequel, '{{ var("salt_not_reviewed") }}') as sequel
from people
left join latest_reviews
    on people.council_code = latest_reviews.council_code
        and people.period_end = latest_reviews.period_end
        and people.person_id = latest_reviews.person_id
