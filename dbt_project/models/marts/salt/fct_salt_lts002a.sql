-- SALT LTS002a from CLD (approach only, reference §2.5): reviews of long-term support clients
-- completed in each financial year that were unplanned, or planned and led to a care home
-- admission, by review reason, method of review and sequel.
with

reviews as (

    select * from {{ ref('int_salt_lts002_reviews_classified') }}
    where review_type = 'Unplanned'
        or (review_type = 'Planned' and is_care_home_admission)

)

select
    cast(council_code as varchar) as council_code,
    cast(period_type as varchar) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(review_type as varchar) as review_type,
    cast(review_reason as varchar) as review_reason,
    cast(method_of_review as varchar) as method_of_review,
    cast(sequel as varchar) as sequel,
    cast(is_care_home_admission as boolean) as is_care_home_admission,
    cast(count(*) as bigint) as reviews
from reviews
group by all
