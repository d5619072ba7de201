-- Data-quality issue 6: SALT totals agree with ASCOF denominators. For each council and
-- financial year, LTS001b's people in long-term Community support at the year end (adults:
-- under-18s are excluded from both; people of unknown age are in both, as the ASCOF 3D total
-- counts them) must equal the ASCOF 3D(1a) Total denominator, which is that same population.
-- One edge could break equality by design: LTS001 takes the oldest age over all of a person's
-- services in the year, 3D over those open at the year end, so a person whose conflicting birth
-- months put them either side of 18 could be counted by one and not the other (not seen in the
-- sample data, where the test passes at scale 0.05 and 1.0).
-- Returns the council-years where they differ.
with

salt as (

    select council_code, period_end, sum(people) as salt_community_people
    from {{ ref('fct_salt_lts001b') }}
    where setting = 'Community'
    group by all

),

ascof as (

    select council_code, period_end, denominator as ascof_3d_denominator
    from {{ ref('fct_ascof_measure') }}
    where measure_code = '3D(1a)'
        and breakdown = 'Total'
        and period_type = 'Financial year'

)

select
    coalesce(salt.council_code, ascof.council_code) as council_code,
    coalesce(salt.period_end, ascof.period_end) as period_end,
    coalesce(salt.salt_community_people, 0) as salt_community_people,
    coalesce(ascof.ascof_3d_denominator, 0) as ascof_3d_denominator
from salt
full outer join ascof
    on salt.council_code = ascof.council_code
        and salt.period_end = ascof.period_end
where coalesce(salt.salt_community_people, 0) <> coalesce(ascof.ascof_3d_denominator, 0)
