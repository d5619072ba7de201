-- Drill-through: for each measure, period and council, the pseudonymised people counted in the
-- denominator and whether each is in the numerator, so an analyst can see why a number moved.
-- Only the periods analysts drill into are kept: every financial year, and the rolling periods
-- ending in the latest var('drill_through_month_ends') calendar months of each council and
-- measure, counted back from its latest period end whether or not each month has people (13: the
-- latest month and the same month a year before).
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

latest_months as (

    select
        council_code,
        measure_code,
        date_trunc('month', max(period_end)) as latest_month
    from people
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
inner join latest_months
    on people.council_code = latest_months.council_code
        and people.measure_code = latest_months.measure_code
where people.period_type = 'Financial year'
    or date_trunc('month', people.period_end) > latest_months.latest_month
    - to_months({{ var('drill_through_month_ends') }})
