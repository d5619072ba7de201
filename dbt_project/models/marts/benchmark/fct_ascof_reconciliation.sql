-- Pre-submission check: for every council, measure and financial year with both our figure and
-- an official one, the differences in numerator, denominator and outcome, and whether they are
-- within the publication's rounding.
with

both_figures as (

    select *
    from {{ ref('int_ascof_benchmark_council_years') }}
    where has_computed_row and has_official_row

),

tolerances as (

    select
        polarity.measure_code,
        -- Half a unit in the last published decimal place: 0.05 for outcomes shown to 1 place.
        0.5 / power(10, polarity.decimal_places) as outcome_tolerance,
        -- Counts rounded to a base (4B to 5) can be off by half the base; others are exact.
        coalesce(rules.count_rounding_base, 0) / 2.0 as count_tolerance
    from {{ ref('ascof_measure_polarity') }} as polarity
    left join {{ ref('ascof_publication_rules') }} as rules
        on polarity.measure_code = rules.measure_code

),

compared as (

    select
        both_figures.*,
        tolerances.outcome_tolerance,
        tolerances.count_tolerance,
        both_figures.computed_numerator - both_figures.official_numerator
            as numerator_difference,
        both_figures.computed_denominator - both_figures.official_denominator
            as denominator_difference,
        both_figures.computed_outcome - both_figures.official_outcome as outcome_difference
    from both_figures
    inner join tolerances
        on both_figures.measure_code = tolerances.measure_code

)

select
    cast(compared.council_code as varchar) as council_code,
    cast(compared.council_name as varchar) as council_name,
    cast(compared.measure_code as varchar) as measure_code,
    cast(measures.measure_name as varchar) as measure_name,
    cast(measures.outcome_unit as varchar) as outcome_unit,
    cast(compared.financial_year as varchar) as financial_year,
    cast(compared.period_start as date) as period_start,
    cast(compared.computed_period_end as date) as computed_period_end,
    cast(compared.computed_numerator as bigint) as computed_numerator,
    cast(compared.computed_denominator as bigint) as computed_denominator,
    cast(compared.computed_outcome as decimal(18, 3)) as computed_outcome,
    cast(compared.official_numerator as bigint) as official_numerator,
    cast(compared.official_denominator as bigint) as official_denominator,
    cast(compared.official_outcome as decimal(18, 3)) as official_outcome,
    cast(coalesce(
        compared.official_outcome_marker, compared.official_numerator_marker
    ) as varchar) as official_marker,
    cast(compared.numerator_difference as bigint) as numerator_difference,
    cast(compared.denominator_difference as bigint) as denominator_difference,
    cast(compared.outcome_difference as decimal(18, 3)) as outcome_difference,
    cast(compared.outcome_tolerance as decimal(18, 3)) as outcome_tolerance,
    cast(compared.count_tolerance as decimal(18, 1)) as count_tolerance,
    cast(case when compared.outcome_difference is not null then
            abs(compared.outcome_difference) <= compared.outcome_tolerance
            and abs(coalesce(compared.numerator_difference, 0)) <= compared.count_tolerance
            and abs(coalesce(compared.denominator_difference, 0)) <= compared.count_tolerance
    end as boolean) as is_within_rounding,
    cast(case
        when compared.official_outcome is null
            then 'official figure withheld ' || coalesce(compared.official_outcome_marker, '')
        when compared.computed_outcome is null then 'no computed outcome (zero denominator)'
        when compared.outcome_difference = 0
            and coalesce(compared.numerator_difference, 0) = 0
            and coalesce(compared.denominator_difference, 0) = 0 then 'matches'
        when abs(compared.outcome_difference) <= compared.outcome_tolerance
            and abs(coalesce(compared.numerator_difference, 0)) <= compared.count_tolerance
            and abs(coalesce(compared.denominator_difference, 0)) <= compared.count_tolerance
            then 'within rounding'
        else 'differs'
    end as varchar) as reconciliation_status
from compared
inner join {{ ref('dim_ascof_measure') }} as measures
    on compared.measure_code = measures.measure_code
