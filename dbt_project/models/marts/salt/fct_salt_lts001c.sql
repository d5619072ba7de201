-- SALT LTS001c from CLD: of the LTS001b people, those in long-term support for more than 12
-- months at each financial year end, by setting and delivery mechanism at the year end,
-- primary support reason and age band (as LTS001b).
with

people as (

    select * from {{ ref('int_salt_lts001c_people_selected') }}

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
