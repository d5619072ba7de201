-- Medway delivery-plan measures that are "Measured via the Adult Social Care Outcomes
-- Framework" (document 002), computed monthly from the ASCOF measures this warehouse builds
-- from CLD: each row of seeds/kpi_medway_ascof_map.csv names the KPI series, the ASCOF measure
-- and the breakdown; the mapping is ours [INT, reference 3.5] because the plan names no
-- measure. The value is the ASCOF outcome unrounded, numerator x multiplier / denominator
-- (seeds/ascof_measures.csv: 100 for percentages, 100,000 for admission rates), over the 12
-- months ending at each month end (rolling_12_months, var('kpi_ascof_rolling_period_type')).
-- Months without 12 months of coverage have no ASCOF period and so no row. A council the map
-- names only gets its own rows.
{%- set ascof_measure_models = [
    'int_ascof_3d_measures_aggregated',
    'int_ascof_2bc_measures_aggregated',
    'int_ascof_2a_measures_aggregated',
    'int_ascof_2e_measures_aggregated',
    'int_ascof_3d_carers_measures_aggregated',
] %}

with

ascof as (

    {% for model in ascof_measure_models %}
        select
            council_code, period_type, period_end, measure_code, breakdown, numerator, denominator
        from {{ ref(model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

kpi_map as (

    select * from {{ ref('kpi_medway_ascof_map') }}

),

measures as (

    select * from {{ ref('ascof_measures') }}

)

select
    cast(kpi_map.council_code as varchar) as council_code,
    cast(kpi_map.kpi_ref as varchar) as kpi_ref,
    cast(date_trunc('month', ascof.period_end) as date) as month,
    cast('rolling_12_months' as varchar) as measure_basis,
    cast(ascof.numerator as double) as numerator,
    cast(ascof.denominator as double) as denominator,
    {{ kpi_ratio('ascof.numerator', 'ascof.denominator', 'measures.multiplier') }} as value
from kpi_map
inner join ascof
    on kpi_map.council_code = ascof.council_code
        and kpi_map.measure_code = ascof.measure_code
        and kpi_map.breakdown = ascof.breakdown
inner join measures
    on kpi_map.measure_code = measures.measure_code
where ascof.period_type = '{{ var("kpi_ascof_rolling_period_type") }}'
