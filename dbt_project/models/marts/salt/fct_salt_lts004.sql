-- SALT LTS004 from CLD: accommodation and employment status of adults aged 18 to 64 with a
-- learning disability primary support reason in long-term Nursing, Residential or Community
-- support during each financial year.
with

people as (

    select * from {{ ref('int_salt_lts004_people_classified') }}

)

select
    cast(council_code as varchar) as council_code,
    cast(period_type as varchar) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(setting as varchar) as setting,
    cast(accommodation_status as varchar) as accommodation_status,
    cast(employment_status as varchar) as employment_status,
    cast(count(*) as bigint) as people
from people
group by all
