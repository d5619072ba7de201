-- SALT LTS001b from CLD: of the LTS001a people, those in long-term support at each financial
-- year end, by setting and delivery mechanism (highest spanning the year end), primary support
-- reason and age band at the year end.
with

people as (

    select * from {{ ref('int_salt_lts001_people_deduplicated') }}
    where is_in_lts_at_period_end

)

select
    cast(council_code as varchar) as council_code,
    cast(period_type as varchar) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(period_end_setting as varchar) as setting,
    cast(period_end_delivery_mechanism as varchar) as delivery_mechanism,
    cast(primary_support_reason as varchar) as primary_support_reason,
    cast(age_band as varchar) as age_band,
    cast(count(*) as bigint) as people
from people
group by all
