-- Every ASCOF measure built from client-level data, per council, reporting period and breakdown,
-- with the outcome computed from unrounded counts and rounded half away from zero.
-- Publication degrades, it does not stop: a value that cannot be computed keeps its row, with
-- status 'No value' and a reason (no feed received, no population, no eligible people); a value
-- computed on a population of another year than the period's is 'Value with caveat'.
{%- set measure_counts_models = [
    'int_ascof_3d_measures_aggregated',
    'int_ascof_2bc_measures_aggregated',
    'int_ascof_2a_measures_aggregated',
    'int_ascof_2e_measures_aggregated',
    'int_ascof_3d_carers_measures_aggregated',
    'int_ascof_4b_measures_aggregated',
    'int_ascof_2d_measures_aggregated',
] %}
{%- set population_models = ['int_ascof_2bc_measures_aggregated'] %}
{%- set feed_measures = var('ascof_feed_measures') %}

with

measure_counts as (

    {% for model in measure_counts_models %}
        select
            council_code, period_type, period_start, period_end, measure_code, breakdown,
            numerator, denominator,
            {% if model in population_models -%}
                population_target_year, population_year,
            {%- else -%}
                cast(null as integer) as population_target_year,
                cast(null as integer) as population_year,
            {%- endif %}
            cast(null as varchar) as missing_feed_reason
        from {{ ref(model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- Measures built from a person-level feed (var ascof_feed_measures) that a council has never
-- sent: one row per reporting period of its CLD saying which feed is absent.
feed_measures as (

    {% for measure in feed_measures %}
        select '{{ measure.measure_code }}' as measure_code, '{{ measure.feed }}' as feed
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

feed_absent as (

    select
        periods.council_code,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        feed_measures.measure_code,
        'Total' as breakdown,
        cast(null as bigint) as numerator,
        cast(null as bigint) as denominator,
        cast(null as integer) as population_target_year,
        cast(null as integer) as population_year,
        never_received.missing_feed_reason
    from {{ ref('int_reporting_periods_enumerated') }} as periods
    inner join {{ ref('int_person_feeds_never_received') }} as never_received
        on periods.council_code = never_received.council_code
    inner join feed_measures
        on never_received.feed = feed_measures.feed

),

all_counts as (

    select * from measure_counts
    union all
    select * from feed_absent

),

measures as (

    select * from {{ ref('ascof_measures') }}

),

outcomes as (

    select
        all_counts.*,
        measures.legacy_code,
        measures.outcome_unit,
        {{ ascof_outcome(
            'all_counts.numerator', 'all_counts.denominator',
            'measures.multiplier', 'measures.decimal_places'
        ) }} as outcome
    from all_counts
    inner join measures
        on all_counts.measure_code = measures.measure_code

)

select
    cast(council_code as varchar) as council_code,
    cast(period_type as varchar) as period_type,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(measure_code as varchar) as measure_code,
    cast(legacy_code as varchar) as legacy_code,
    cast(breakdown as varchar) as breakdown,
    cast(numerator as bigint) as numerator,
    cast(denominator as bigint) as denominator,
    outcome,
    cast(outcome_unit as varchar) as outcome_unit,
    cast(
        coalesce(numerator < {{ var('suppression_minimum') }}, true)
        or coalesce(denominator < {{ var('suppression_minimum') }}, true)
        as boolean
    ) as is_suppressed,
    cast(population_year as integer) as population_year,
    cast(
        case
            when outcome is null then 'No value'
            when population_year <> population_target_year then 'Value with caveat'
            else 'Value'
        end
        as varchar
    ) as status,
    cast(
        case
            when missing_feed_reason is not null then missing_feed_reason
            when denominator is null and population_target_year is not null
                then 'no population for ' || population_target_year
                    || ' or any other year for this council and age band'
            when denominator is null then 'no denominator'
            when denominator = 0 then 'no eligible people'
            when population_year <> population_target_year
                then 'no population for ' || population_target_year || '; mid-'
                    || population_year || ' estimate used'
        end
        as varchar
    ) as reason
from outcomes
