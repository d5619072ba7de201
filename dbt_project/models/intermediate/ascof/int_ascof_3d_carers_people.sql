-- ASCOF 3D(1b) and 3D(2b) drill-through: one row per council, period, measure and carer
-- counted. The denominator is carers whose highest support was a direct payment, a
-- CASSR-managed personal budget or CASSR-commissioned support only; 3D(1b) counts the first two
-- (self-directed support), 3D(2b) direct payments.
with

carers as not materialized (

    select * from {{ ref('int_ascof_3d_carers_deduplicated') }}
    where in_denominator

)

select
    council_code, period_type, period_start, period_end, '3D(1b)' as measure_code, person_id,
    age_band, is_self_directed as in_numerator, in_denominator
from carers

union all

select
    council_code, period_type, period_start, period_end, '3D(2b)' as measure_code, person_id,
    age_band, is_direct_payment as in_numerator, in_denominator
from carers
