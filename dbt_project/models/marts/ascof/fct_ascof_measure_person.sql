-- Drill-through: for each measure, period and council, the pseudonymised people counted in the
-- denominator and whether each is in the numerator, so an analyst can see why a number moved.
{%- set people_models = [
    'int_ascof_3d_people',
    'int_ascof_2bc_people',
    'int_ascof_2a_people',
    'int_ascof_2e_people',
    'int_ascof_3d_carers_people',
    'int_ascof_4b_people',
    'int_ascof_2d_people',
] %}

{% for model in people_models %}
    select
        cast(council_code as varchar) as council_code,
        cast(period_type as varchar) as period_type,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(measure_code as varchar) as measure_code,
        cast(person_id as varchar) as person_id,
        cast(age_band as varchar) as age_band,
        cast(in_numerator as boolean) as in_numerator,
        cast(in_denominator as boolean) as in_denominator
    from {{ ref(model) }}
    -- Only people the measure counts: 2A lists people whose sequel is excluded from both lists.
    where in_denominator
    {% if not loop.last %}union all{% endif %}
{% endfor %}
