-- Drill-through for 3D(1a) and 3D(2a): the people in long-term community support at each period
-- end (the denominator) and whether each counts in the numerator.
with

community_clients as not materialized (

    select * from {{ ref('int_ascof_3d_clients_deduplicated') }}
    where setting = 'Community'

)

select
    council_code, period_type, period_start, period_end, '3D(1a)' as measure_code,
    person_id, age_band, is_self_directed as in_numerator, true as in_denominator
from community_clients

union all

select
    council_code, period_type, period_start, period_end, '3D(2a)' as measure_code,
    person_id, age_band, is_direct_payment as in_numerator, true as in_denominator
from community_clients
