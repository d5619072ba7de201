-- SALT STS002a from CLD: new clients' ST-Max (reablement) episodes ending in each financial
-- year, by what followed them (sequel, and the rule that gave it).
with

episodes as (

    select * from {{ ref('int_salt_sts002a_sequels_assigned') }}

)

select
    cast(council_code as varchar) as council_code,
    cast(period_type as varchar) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(sequel as varchar) as sequel,
    cast(sequel_rule as varchar) as sequel_rule,
    cast(count(*) as bigint) as episodes
from episodes
group by all
