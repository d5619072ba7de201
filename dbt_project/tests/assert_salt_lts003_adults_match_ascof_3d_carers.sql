-- SALT LTS003 and ASCOF 3D(1b)/(2b) read one carer cohort: for each council and financial
-- year, LTS003's carers other than the under-18s (carers of unknown age are in both) must equal
-- the carers ASCOF 3D classifies, in every support category. Returns the differences.
with

lts003 as (

    select
        lts003.council_code, lts003.period_end, lts003.support_provided,
        sum(lts003.carers) as lts003_carers
    from {{ ref('fct_salt_lts003') }} as lts003
    left join {{ ref('salt_lts003_carer_age_bands') }} as bands
        on lts003.age_band = bands.age_band
    -- Adults as ASCOF counts them (seeds/ref_age_bands.csv), and carers of unknown age.
    where bands.age_band is null
        or bands.min_age >= (select min(min_age) from {{ ref('ref_age_bands') }})
    group by all

),

ascof as (

    select council_code, period_end, support_provided, count(*) as ascof_carers
    from {{ ref('int_ascof_3d_carers_deduplicated') }}
    where period_type = 'Financial year'
    group by all

)

select
    coalesce(lts003.council_code, ascof.council_code) as council_code,
    coalesce(lts003.period_end, ascof.period_end) as period_end,
    coalesce(lts003.support_provided, ascof.support_provided) as support_provided,
    coalesce(lts003.lts003_carers, 0) as lts003_carers,
    coalesce(ascof.ascof_carers, 0) as ascof_carers
from lts003
full outer join ascof
    on lts003.council_code = ascof.council_code
        and lts003.period_end = ascof.period_end
        and lts003.support_provided = ascof.support_provided
where coalesce(lts003.lts003_carers, 0) <> coalesce(ascof.ascof_carers, 0)
