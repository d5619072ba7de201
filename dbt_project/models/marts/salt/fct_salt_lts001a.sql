-- SALT LTS001a from CLD: people accessing long-term support during each financial year, by
-- setting (highest in the year), primary support reason and age band at the year end.
with

people as (

    select * from {{ ref('int_salt_lts001_people_deduplicated') }}

)

select
    cast(council_code as varchar) as council_code,
    cast(period_type as varchar) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(setting as varchar) as setting,
    cast(primary_support_reason as varchar) as primary_support_reason,
    cast(age_band as varchar) as age_band,
    cast(count(*) as bigint) as people
from people
group by all
