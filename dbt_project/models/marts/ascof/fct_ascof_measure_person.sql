-- Drill-through: for each measure, period and council, the pseudonymised people counted in the
-- denominator and whether each is in the numerator, so an analyst can see why a number moved.
-- Only the periods analysts drill into are kept: every financial year, and the rolling periods
-- ending in the latest var('drill_through_month_ends') month ends of each council and measure
-- (13: the latest month and the same month a year before).
{%- set people_models = [
    'int_ascof_3d_people',
    'int_ascof_2bc_people',
    'int_ascof_2a_people',
    'int_ascof_2e_people',
    'int_ascof_3d_carers_people',
    'int_ascof_4b_people',
    'int_ascof_2d_people',
] %}

with

people as (

    {% for model in people_models %}
        select
            council_code, period_type, period_start, period_end, measure_code, person_id,
            age_band, in_numerator, in_denominator
        from {{ ref(model) }}
        -- Only people the measure counts: 2A lists people whose sequel is excluded from both.
        where in_denominator
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

period_ends as (

    select distinct council_code, measure_code, period_end
    from people

),

earliest_kept as (

    select council_code, measure_code, min(period_end) as earliest_period_end
    from (
        select
            council_code,
            measure_code,
            period_end,
            row_number() over (
                partition by council_code, measure_code order by period_end desc
            ) as recency
        from period_ends
    ) as ranked_period_ends
    where recency <= {{ var('drill_through_month_ends') }}
    group by council_code, measure_code

)

select
    cast(people.council_code as varchar) as council_code,
    cast(people.period_type as varchar) as period_type,
    cast(people.period_start as date) as period_start,
    cast(people.period_end as date) as period_end,
    cast(people.measure_code as varchar) as measure_code,
    cast(people.person_id as varchar) as person_id,
    cast(people.age_band as varchar) as age_band,
    cast(people.in_numerator as boolean) as in_numerator,
    cast(people.in_denominator as boolean) as in_denominator
from people
inner join earliest_kept
    on people.council_code = earliest_kept.council_code
        and people.measure_code = earliest_kept.measure_code
where people.period_type = 'Financial year'
    or people.period_end >= earliest_kept.earliest_period_end
