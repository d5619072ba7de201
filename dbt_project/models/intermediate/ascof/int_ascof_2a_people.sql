-- Drill-through for 2A: each person with a cohort reablement cluster (new client, 18 or over or
-- of unknown age, alive at its start) ending in the period. The measure counts clusters; here a
-- person appears once per period, in the denominator or numerator when any of their clusters
-- is, and in the age band of their latest cluster in the period. People whose every cluster had
-- an excluded sequel (died, admitted to hospital, self-funded, declined, referred to the NHS,
-- unable to classify) are listed with in_denominator false, so an analyst can see them; the
-- cluster detail is in int_ascof_2a_sequels_assigned.
with

periods as (

    select * from {{ ref('int_reporting_periods_enumerated') }}

),

sequels as (

    select * from {{ ref('int_ascof_2a_sequels_assigned') }}

)

select
    periods.council_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    '2A' as measure_code,
    sequels.person_id,
    arg_max(sequels.age_band, sequels.cluster_end_date) as age_band,
    bool_or(sequels.in_numerator) as in_numerator,
    bool_or(sequels.in_denominator) as in_denominator
from periods
inner join sequels
    on periods.council_code = sequels.council_code
        and sequels.cluster_end_date between periods.period_start and periods.period_end
group by
    periods.council_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    sequels.person_id
