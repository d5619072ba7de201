-- Every ASCOF measure built from client-level data, per council, reporting period and breakdown,
-- with the outcome computed from unrounded counts and rounded half away from zero.
{%- set measure_counts_models = [
    'int_ascof_3d_measures_aggregated',
    'int_ascof_2bc_measures_aggregated',
    'int_ascof_2a_measures_aggregated',
    'int_ascof_2e_measures_aggregated',
    'int_ascof_3d_carers_measures_aggregated',
    'int_ascof_4b_measures_aggregated',
    'int_ascof_2d_measures_aggregated',
] %}

with

measure_counts as (

    {% for model in measure_counts_models %}
    select
        council_code, period_type, period_start, period_end, measure_code, breakdown,
        numerator, denominator
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

measures as (

    select * from {{ ref('ascof_measures') }}

)

select
    cast(measure_counts.council_code as varchar) as council_code,
    cast(measure_counts.period_type as varchar) as period_type,
    cast(measure_counts.period_start as date) as period_start,
    cast(measure_counts.period_end as date) as period_end,
    cast(measure_counts.measure_code as varchar) as measure_code,
    cast(measures.legacy_code as varchar) as legacy_code,
    cast(measure_counts.breakdown as varchar) as breakdown,
    cast(measure_counts.numerator as bigint) as numerator,
    cast(measure_counts.denominator as bigint) as denominator,
    {{ ascof_outcome(
        'measure_counts.numerator', 'measure_counts.denominator',
        'measures.multiplier', 'measures.decimal_places'
    ) }} as outcome,
    cast(measures.outcome_unit as varchar) as outcome_unit,
    cast(
        coalesce(measure_counts.numerator < {{ var('suppression_minimum') }}, true)
        or coalesce(measure_counts.denominator < {{ var('suppression_minimum') }}, true)
    as boolean) as is_suppressed
from measure_counts
inner join measures
    on measure_counts.measure_code = measures.measure_code
