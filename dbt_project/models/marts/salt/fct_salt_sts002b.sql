-- SALT STS002b from CLD: existing clients' ST-Max (reablement) episodes ending in each
-- financial year, high-level totals only: episodes and distinct people.
with

episodes as (

    select * from {{ ref('int_salt_sts002b_episodes') }}

)

select
    cast(council_code as varchar) as council_code,
    cast(period_type as varchar) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(count(*) as bigint) as episodes,
    cast(count(distinct person_id) as bigint) as people
from episodes
group by all
