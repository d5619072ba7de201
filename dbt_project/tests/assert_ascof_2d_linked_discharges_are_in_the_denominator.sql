-- ASCOF 2D invariant: every discharge that a reablement cluster links to (2D(1) denominator,
-- 2D(2) numerator) is a cohort discharge of the same council discharged within the period, i.e.
-- a member of the 2D(2) denominator, and its person is in that period's 2D(2) drill-through.
-- Returns the linked rows that break it.
with

linked as (

    select * from {{ ref('int_ascof_2d_reablement_linked') }}

),

screened as (

    select * from {{ ref('int_ascof_2d_discharges_screened') }}

),

people as (

    select * from {{ ref('int_ascof_2d_people') }}
    where measure_code = '2D(2)' and in_numerator

)

select linked.*
from linked
left join screened
    on linked.council_code = screened.council_code
        and linked.spell_id = screened.spell_id
left join people
    on linked.council_code = people.council_code
        and linked.period_type = people.period_type
        and linked.period_end = people.period_end
        and linked.person_id = people.person_id
where not coalesce(
        screened.is_in_cohort
        and screened.person_id = linked.person_id
        and screened.discharge_date between linked.period_start and linked.period_end,
        false
    )
    or people.person_id is null
