-- ASCOF 2A numerator and denominator per council, reporting period and breakdown. A cluster
-- counts in a period when it ends in it. As in DHSC's code the unit is the reablement cluster,
-- not the person: someone with two clusters ending in the period counts twice. Breakdowns: the
-- total, and each age band at the cluster end (people of unknown age count in the total only).
-- Every council, period and breakdown has a row, zero where no cluster ended: DHSC outputs the
-- same grid of councils and age bands.
with

periods as not materialized (

    select * from {{ ref('int_reporting_periods_enumerated') }}

),

sequels as (

    select * from {{ ref('int_ascof_2a_sequels_assigned') }}

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

),

breakdowns as (

    select 'Total' as breakdown

    union all

    select age_band from age_bands

),

clusters_in_period as (

    select
        periods.council_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        sequels.age_band,
        sequels.in_numerator,
        sequels.in_denominator
    from periods
    inner join sequels
        on periods.council_code = sequels.council_code
            and sequels.cluster_end_date between periods.period_start and periods.period_end

),

by_breakdown as (

    select
        council_code, period_type, period_start, period_end, 'Total' as breakdown,
        in_numerator, in_denominator
    from clusters_in_period

    union all

    -- Unknown ages get no row of their own: the grid below has only Total and the bands.
    select
        council_code, period_type, period_start, period_end, age_band as breakdown,
        in_numerator, in_denominator
    from clusters_in_period

),

counted as (

    select
        council_code,
        period_type,
        period_start,
        period_end,
        breakdown,
        count(*) filter (where in_numerator) as numerator,
        count(*) filter (where in_denominator) as denominator
    from by_breakdown
    group by council_code, period_type, period_start, period_end, breakdown

)

select
    periods.council_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    '2A' as measure_code,
    breakdowns.breakdown,
    cast(coalesce(counted.numerator, 0) as bigint) as numerator,
    cast(coalesce(counted.denominator, 0) as bigint) as denominator
from periods
cross join breakdowns
left join counted
    on periods.council_code = counted.council_code
        and periods.period_type = counted.period_type
        and periods.period_start = counted.period_start
        and periods.period_end = counted.period_end
        and breakdowns.breakdown = counted.breakdown
