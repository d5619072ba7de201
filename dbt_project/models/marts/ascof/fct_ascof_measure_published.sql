-- The publishable form of fct_ascof_measure, following the national rules for CLD measures
-- (reference §1.6, ODS-2425 note 10): where the numerator or the denominator is below
-- var('suppression_minimum'), both are withheld (published as [c]); the outcome, computed
-- before any suppression, is still shown. Council-level counts are otherwise unrounded, except
-- for measures listed in seeds/ascof_publication_rules.csv: 4B (note 16) publishes its counts
-- rounded to the nearest 5 (an integer count has no ties: 7 -> 5, 8 -> 10).
with

measures as (

    select * from {{ ref('fct_ascof_measure') }}

),

rules as (

    select * from {{ ref('ascof_publication_rules') }}

)

select
    measures.council_code,
    measures.period_type,
    measures.period_start,
    measures.period_end,
    measures.measure_code,
    measures.legacy_code,
    measures.breakdown,
    case
        when measures.is_suppressed then null
        when rules.count_rounding_base is not null
            then (measures.numerator + rules.count_rounding_base // 2)
                // rules.count_rounding_base * rules.count_rounding_base
        else measures.numerator
    end as numerator,
    case
        when measures.is_suppressed then null
        when rules.count_rounding_base is not null
            then (measures.denominator + rules.count_rounding_base // 2)
                // rules.count_rounding_base * rules.count_rounding_base
        else measures.denominator
    end as denominator,
    measures.outcome,
    measures.outcome_unit,
    measures.is_suppressed,
    measures.population_year,
    measures.status,
    measures.reason
from measures
left join rules
    on measures.measure_code = rules.measure_code
