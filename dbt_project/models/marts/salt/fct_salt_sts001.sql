-- SALT STS001 from CLD: requests for support from new clients ending in each financial year,
-- by route of access, sequel (and the rule that gave it) and age band at the year end.
with

requests as (

    select * from {{ ref('int_salt_sts001_requests_classified') }}

)

select
    cast(council_code as varchar) as council_code,
    cast(period_type as varchar) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(route_of_access as varchar) as route_of_access,
    cast(sequel as varchar) as sequel,
    cast(sequel_rule as varchar) as sequel_rule,
    cast(age_band as varchar) as age_band,
    cast(count(*) as bigint) as requests
from requests
group by all
