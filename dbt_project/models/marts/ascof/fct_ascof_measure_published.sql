-- The publishable form of fct_ascof_measure, following the national rules for CLD measures
-- (reference §1.6, ODS-2425 note 10): where the numerator or the denominator is below
-- var('suppression_minimum'), both are withheld (published as [c]); the outcome, computed
-- before any suppression, is still shown. Council-level counts are otherwise unrounded.
select
    council_code,
    period_type,
    period_start,
    period_end,
    measure_code,
    legacy_code,
    breakdown,
    case when is_suppressed then null else numerator end as numerator,
    case when is_suppressed then null else denominator end as denominator,
    outcome,
    outcome_unit,
    is_suppressed
from {{ ref('fct_ascof_measure') }}
