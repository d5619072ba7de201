-- ASCOF 2E(1), 2E(2a) and 2E(2b) counts per council and period. Each measure is one age cohort,
-- so its only breakdown is the total: numerator = people in settled accommodation (including
-- "Unknown: presumed at home"), denominator = everyone in the cohort.
with

people as (

    select * from {{ ref('int_ascof_2e_people') }}

)

select
    council_code,
    period_type,
    period_start,
    period_end,
    measure_code,
    'Total' as breakdown,
    cast(count(*) filter (where in_numerator) as bigint) as numerator,
    cast(count(*) filter (where in_denominator) as bigint) as denominator
from people
group by all
