-- ASCOF 3D(1b) and 3D(2b) counts per council, period and breakdown: the total and each age band
-- at the period end (carers of unknown age count in the total only), as DHSC outputs them.
-- Computed but not published nationally for 2024-25: CLD carer numbers were far below SALT's.
with

people as not materialized (

    select * from {{ ref('int_ascof_3d_carers_people') }}

),

by_breakdown as (

    select *, 'Total' as breakdown
    from people

    union all

    select *, age_band as breakdown
    from people
    where age_band <> 'Unknown'

)

select
    council_code,
    period_type,
    period_start,
    period_end,
    measure_code,
    breakdown,
    cast(count(*) filter (where in_numerator) as bigint) as numerator,
    cast(count(*) filter (where in_denominator) as bigint) as denominator
from by_breakdown
group by all
