-- SALT LTS003 from CLD: unpaid carers supported during each financial year, each once in their
-- highest "Support Provided" category, by age band at the year end.
with

carers as (

    select * from {{ ref('int_salt_lts003_carers_classified') }}

)

select
    cast(council_code as varchar) as council_code,
    cast(period_type as varchar) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(support_provided as varchar) as support_provided,
    cast(age_band as varchar) as age_band,
    cast(count(*) as bigint) as carers
from carers
group by all
