-- Every council's ASCOF figures beside the official ones, its comparators, its region, its
-- council type and England, one row per council, measure and financial year.
with

council_years as not materialized (

    select * from {{ ref('int_ascof_benchmark_council_years') }}

),

aggregates as (

    select area_level, area_code, measure_code, period_start, outcome, outcome_marker
    from {{ ref('stg_ascof_official__values') }}
    where area_level in ('england', 'region', 'council_type')
        and breakdown = '{{ var("ascof_headline_breakdown") }}'

),

areas as (

    select * from {{ ref('ascof_official_areas') }}

),

comparator_groups as (

    select council_code, any_value(group_basis) as comparator_group_basis
    from {{ ref('ascof_comparator_groups') }}
    group by council_code

),

measures as (

    select * from {{ ref('dim_ascof_measure') }}

)

select
    cast(council_years.council_code as varchar) as council_code,
    cast(council_years.council_name as varchar) as council_name,
    cast(council_years.region_code as varchar) as region_code,
    cast(region_area.area_name as varchar) as region_name,
    cast(council_years.council_type_code as varchar) as council_type_code,
    cast(type_area.area_name as varchar) as council_type_name,
    cast(council_years.measure_code as varchar) as measure_code,
    cast(measures.measure_name as varchar) as measure_name,
    cast(measures.polarity as varchar) as polarity,
    cast(measures.outcome_unit as varchar) as outcome_unit,
    cast(council_years.financial_year as varchar) as financial_year,
    cast(council_years.period_start as date) as period_start,
    cast(council_years.period_end as date) as period_end,
    cast(council_years.computed_numerator as bigint) as computed_numerator,
    cast(council_years.computed_denominator as bigint) as computed_denominator,
    cast(council_years.computed_outcome as decimal(18, 3)) as computed_outcome,
    cast(case
        when council_years.has_computed_row then 'computed'
        when not measures.is_computed_here then 'not computed here: official figure only'
        else 'no data loaded for this council and year'
    end as varchar) as computed_status,
    cast(council_years.official_numerator as bigint) as official_numerator,
    cast(council_years.official_numerator_marker as varchar) as official_numerator_marker,
    cast(council_years.official_denominator as bigint) as official_denominator,
    cast(council_years.official_denominator_marker as varchar) as official_denominator_marker,
    cast(council_years.official_outcome as decimal(18, 3)) as official_outcome,
    cast(case
        when council_years.has_official_row then council_years.official_outcome_marker
        else 'not in the official series'
    end as varchar) as official_outcome_marker,
    cast(council_years.official_respondents as decimal(18, 1)) as official_respondents,
    cast(council_years.official_margin_of_error as decimal(18, 3)) as official_margin_of_error,
    cast(region.outcome as decimal(18, 3)) as region_outcome,
    cast(region.outcome_marker as varchar) as region_outcome_marker,
    cast(council_type.outcome as decimal(18, 3)) as council_type_outcome,
    cast(council_type.outcome_marker as varchar) as council_type_outcome_marker,
    cast(england.outcome as decimal(18, 3)) as england_outcome,
    cast(england.outcome_marker as varchar) as england_outcome_marker,
    cast(comparator_groups.comparator_group_basis as varchar) as comparator_group_basis,
    cast(ranked.comparator_values as varchar) as comparator_values,
    cast(coalesce(ranked.comparators_with_value, 0) as integer) as comparators_with_value,
    cast(ranked.comparator_average_outcome as decimal(18, 3)) as comparator_average_outcome,
    cast(ranked.rank_among_councils as integer) as rank_among_councils,
    cast(ranked.councils_ranked as integer) as councils_ranked,
    cast(ranked.quartile_among_councils as integer) as quartile_among_councils,
    cast(ranked.rank_in_comparator_group as integer) as rank_in_comparator_group,
    cast(ranked.comparator_group_ranked as integer) as comparator_group_ranked,
    cast(ranked.quartile_in_comparator_group as integer) as quartile_in_comparator_group,
    cast(previous_year.official_outcome as decimal(18, 3)) as previous_year_outcome,
    cast(council_years.official_outcome - previous_year.official_outcome as decimal(18, 3))
        as change_since_last_year,
    cast(case
        when council_years.official_outcome = previous_year.official_outcome then 'no change'
        when (council_years.official_outcome > previous_year.official_outcome)
            = (measures.polarity = 'higher') then 'better'
        when council_years.official_outcome is not null
            and previous_year.official_outcome is not null then 'worse'
    end as varchar) as change_direction
from council_years
inner join measures
    on council_years.measure_code = measures.measure_code
left join areas as region_area
    on region_area.area_level = 'region'
        and council_years.region_code = region_area.area_code
left join areas as type_area
    on type_area.area_level = 'council_type'
        and council_years.council_type_code = type_area.area_code
left join aggregates as region
    on region.area_level = 'region'
        and council_years.region_code = region.area_code
        and council_years.measure_code = region.measure_code
        and council_years.period_start = region.period_start
left join aggregates as council_type
    on council_type.area_level = 'council_type'
        and council_years.council_type_code = council_type.area_code
        and council_years.measure_code = council_type.measure_code
        and council_years.period_start = council_type.period_start
left join aggregates as england
    on england.area_level = 'england'
        and council_years.measure_code = england.measure_code
        and council_years.period_start = england.period_start
left join comparator_groups
    on council_years.council_code = comparator_groups.council_code
left join {{ ref('int_ascof_benchmark_ranked') }} as ranked
    on council_years.council_code = ranked.council_code
        and council_years.measure_code = ranked.measure_code
        and council_years.financial_year = ranked.financial_year
left join council_years as previous_year
    on council_years.council_code = previous_year.council_code
        and council_years.measure_code = previous_year.measure_code
        and council_years.period_start - interval 12 month = previous_year.period_start
