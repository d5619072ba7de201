-- ASCOF 3D, carer parts (DHSC Create_ASCOF_3D_2425_Onwards, carer measures): the carers of
-- int_salt_carers_deduplicated (SALT LTS003's cohort and support categories, every reporting
-- period), adults only: under-18 carers are excluded (as since 2019-20); carers with no known
-- age count in the total only (age band "Unknown").
with

carers as (

    select * from {{ ref('int_salt_carers_deduplicated') }}

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

)

select
    carers.*,
    coalesce(age_bands.age_band, 'Unknown') as age_band
from carers
left join age_bands
    on carers.age_at_period_end >= age_bands.min_age
        and (age_bands.max_age is null or carers.age_at_period_end <= age_bands.max_age)
where carers.age_at_period_end is null
    or carers.age_at_period_end >= (select min(min_age) from age_bands)
