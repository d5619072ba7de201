-- One row per council, ASCOF measure and financial year: the official headline value where the
-- workbook has one, our computed value where fct_ascof_measure has one, or both.
with

official as (

    select *
    from {{ ref('stg_ascof_official__values') }}
    where area_level = 'council'
        and breakdown = '{{ var("ascof_headline_breakdown") }}'

),

computed_periods as (

    select
        *,
        count(*) over (
            partition by council_code, period_start, period_end, measure_code
        ) as breakdowns_in_period
    from {{ ref('fct_ascof_measure') }}
    where period_type = '{{ var("ascof_benchmark_period_type") }}'
        -- A row without counts (a feed never received, no population) computed nothing.
        and numerator is not null
        and denominator is not null

),

-- The headline is the Total row; 2B and 2C have one age band and no Total, so a measure's
-- only row is its headline.
computed as (

    select
        council_code,
        measure_code,
        period_start,
        period_end,
        numerator,
        denominator,
        outcome,
        is_suppressed
    from computed_periods
    where breakdown = '{{ var("ascof_headline_breakdown") }}' or breakdowns_in_period = 1

),

keys as (

    select area_code as council_code, measure_code, period_start from official
    union
    select council_code, measure_code, period_start from computed

),

councils as (

    select * from {{ ref('ascof_official_areas') }}
    where area_level = 'council'

)

select
    keys.council_code,
    coalesce(dim_council.council_name, councils.area_name) as council_name,
    councils.region_code,
    councils.council_type_code,
    keys.measure_code,
    cast(year(keys.period_start) as varchar) || '-'
    || right(cast(year(keys.period_start) + 1 as varchar), 2) as financial_year,
    keys.period_start,
    cast(keys.period_start + interval 12 month - interval 1 day as date) as period_end,
    computed.period_end as computed_period_end,
    computed.numerator as computed_numerator,
    computed.denominator as computed_denominator,
    computed.outcome as computed_outcome,
    computed.is_suppressed as computed_is_suppressed,
    official.numerator as official_numerator,
    official.numerator_marker as official_numerator_marker,
    official.denominator as official_denominator,
    official.denominator_marker as official_denominator_marker,
    official.outcome as official_outcome,
    official.outcome_marker as official_outcome_marker,
    official.respondents as official_respondents,
    official.margin_of_error as official_margin_of_error,
    official.area_code is not null as has_official_row,
    computed.council_code is not null as has_computed_row
from keys
left join official
    on keys.council_code = official.area_code
        and keys.measure_code = official.measure_code
        and keys.period_start = official.period_start
left join computed
    on keys.council_code = computed.council_code
        and keys.measure_code = computed.measure_code
        and keys.period_start = computed.period_start
left join councils
    on keys.council_code = councils.area_code
left join {{ ref('dim_council') }} as dim_council
    on keys.council_code = dim_council.council_code
