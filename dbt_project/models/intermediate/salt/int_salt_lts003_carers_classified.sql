-- SALT LTS003 carers: each unpaid carer with support during a financial year (in year, not a
-- snapshot; int_salt_carers_deduplicated), once, in their highest "Support Provided" category,
-- with their age band at the year end from seeds/salt_lts003_carer_age_bands.csv (Under 18,
-- 18 to 25, 26 to 64, 65 to 84, 85 and above: the bands of NHSE's LTS003 SQL, which the
-- reference does not list [U]); carers with no birth month are "Unknown". Unlike ASCOF 3D,
-- carers under 18 are counted (SALT LTS003 has an under-18 band).
with

carers as (

    select * from {{ ref('int_salt_carers_deduplicated') }}
    -- SALT is an annual return: financial years only.
    where period_type = 'Financial year'

),

age_bands as (

    select * from {{ ref('salt_lts003_carer_age_bands') }}

)

select
    carers.council_code,
    carers.period_type,
    carers.period_start,
    carers.period_end,
    carers.person_id,
    carers.hierarchy_rank,
    carers.support_provided,
    carers.age_at_period_end,
    coalesce(age_bands.age_band, 'Unknown') as age_band
from carers
left join age_bands
    on carers.age_at_period_end >= age_bands.min_age
        and (age_bands.max_age is null or carers.age_at_period_end <= age_bands.max_age)
