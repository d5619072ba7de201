-- Each council's official outcome ranked among all councils and within its comparator group,
-- best first in the measure's polarity (seeds/ascof_measure_polarity.csv). Ties share a rank
-- (standard competition ranking: 1, 2, 2, 4) and so a quartile; quartile q covers ranks up to
-- q/4 of the councils ranked (ceil(quartiles x rank / councils ranked)). Councils without a
-- numeric official outcome (markers [c], [x], [z]) are not ranked and do not count.
with

council_years as (

    select
        council_code,
        council_name,
        measure_code,
        financial_year,
        official_outcome,
        official_outcome_marker
    from {{ ref('int_ascof_benchmark_council_years') }}

),

scored as (

    select
        council_years.*,
        -- Higher score is better whatever the polarity.
        case polarity.polarity
            when 'lower' then -council_years.official_outcome
            else council_years.official_outcome
        end as score
    from council_years
    inner join {{ ref('ascof_measure_polarity') }} as polarity
        on council_years.measure_code = polarity.measure_code

),

ranked_among_councils as (

    select
        council_code,
        measure_code,
        financial_year,
        rank() over (partition by measure_code, financial_year order by score desc)
            as rank_among_councils,
        count(*) over (partition by measure_code, financial_year) as councils_ranked
    from scored
    where score is not null

),

comparator_scores as (

    select
        groups.council_code,
        groups.comparator_rank,
        comparator.measure_code,
        comparator.financial_year,
        comparator.council_code as comparator_council_code,
        comparator.council_name as comparator_name,
        comparator.official_outcome,
        comparator.official_outcome_marker,
        comparator.score
    from {{ ref('ascof_comparator_groups') }} as groups
    inner join scored as comparator
        on groups.comparator_council_code = comparator.council_code

),

comparator_summary as (

    select
        comparator_scores.council_code,
        comparator_scores.measure_code,
        comparator_scores.financial_year,
        string_agg(
            comparator_scores.comparator_name || ' (' || comparator_scores.comparator_council_code
            || '): ' || coalesce(
                cast(cast(comparator_scores.official_outcome as double) as varchar),
                comparator_scores.official_outcome_marker
            ),
            '; ' order by comparator_scores.comparator_rank
        ) as comparator_values,
        count(comparator_scores.score) as comparators_with_value,
        avg(comparator_scores.official_outcome) as comparator_average_outcome,
        count(comparator_scores.score) filter (where comparator_scores.score > own.score)
            as comparators_better,
        bool_or(own.score is not null) as council_has_value
    from comparator_scores
    left join scored as own
        on comparator_scores.council_code = own.council_code
            and comparator_scores.measure_code = own.measure_code
            and comparator_scores.financial_year = own.financial_year
    group by all

),

grain as (

    select council_code, measure_code, financial_year from scored
    union
    select council_code, measure_code, financial_year from comparator_summary

)

select
    grain.council_code,
    grain.measure_code,
    grain.financial_year,
    cast(ranked_among_councils.rank_among_councils as integer) as rank_among_councils,
    cast(ranked_among_councils.councils_ranked as integer) as councils_ranked,
    cast(ceil(
        {{ var('ascof_benchmark_quartiles') }} * ranked_among_councils.rank_among_councils
        / ranked_among_councils.councils_ranked
    ) as integer) as quartile_among_councils,
    comparator_summary.comparator_values,
    cast(coalesce(comparator_summary.comparators_with_value, 0) as integer)
        as comparators_with_value,
    cast(round(comparator_summary.comparator_average_outcome, 3) as decimal(18, 3))
        as comparator_average_outcome,
    cast(case when comparator_summary.council_has_value
            then 1 + comparator_summary.comparators_better
    end as integer) as rank_in_comparator_group,
    cast(case when comparator_summary.council_has_value
            then 1 + comparator_summary.comparators_with_value
    end as integer)
        as comparator_group_ranked,
    cast(case when comparator_summary.council_has_value then ceil(
                {{ var('ascof_benchmark_quartiles') }} * (1 + comparator_summary.comparators_better)
                / (1 + comparator_summary.comparators_with_value)
            )
    end as integer) as quartile_in_comparator_group
from grain
left join ranked_among_councils
    on grain.council_code = ranked_among_councils.council_code
        and grain.measure_code = ranked_among_councils.measure_code
        and grain.financial_year = ranked_among_councils.financial_year
left join comparator_summary
    on grain.council_code = comparator_summary.council_code
        and grain.measure_code = comparator_summary.measure_code
        and grain.financial_year = comparator_summary.financial_year
