-- SALT LTS002b from CLD (approach only, reference §2.5): the LTS001c clients of each financial
-- year, each once, by the type and sequel of their latest review in the year, or not reviewed.
with

people as (

    select * from {{ ref('int_salt_lts002b_people_reviewed') }}

)

select
    cast(council_code as varchar) as council_code,
    cast(period_type as varchar) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(review_type as varchar) as review_type,
    cast(sequel as varchar) as sequel,
    cast(count(*) as bigint) as people
from people
group by all
