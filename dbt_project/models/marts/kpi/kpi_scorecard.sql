-- The business-plan scorecard: one row per council and KPI of seeds/kpi_derivation.csv (every
-- indicator of the plans this warehouse knows, derivable or not), with the catalogue's
-- description, unit, polarity and target, and the KPI's latest month in fct_kpi_monthly:
--   status "Value": the latest month has a value;
--   status "No value": the latest month has a row without a value, with fct_kpi_monthly's
--   reason (a feed never received, nobody eligible);
--   status "No value yet": derivable, but no month has a row yet (e.g. too little coverage for
--   its look-back);
--   status "Not derivable": no feed carries it; reason says what data would be needed.
-- A series `<ref>/<ASCOF code>` takes the catalogue facts of its indicator `<ref>` when the
-- catalogue has no row of its own. value_rounded is for display only (1 decimal place, counts
-- whole); RAG and trend come from the unrounded value.
with

derivation as (

    select * from {{ ref('kpi_derivation') }}

),

catalogue as (

    select * from {{ ref('kpi_catalogue') }}

),

latest as (

    select *
    from {{ ref('fct_kpi_monthly') }}
    qualify month = max(month) over (partition by council_code, kpi_ref)

)

select
    cast(derivation.council_code as varchar) as council_code,
    cast(derivation.kpi_ref as varchar) as kpi_ref,
    cast(coalesce(exact.regime, parent.regime) as varchar) as regime,
    cast(coalesce(exact.theme, parent.theme) as varchar) as theme,
    cast(coalesce(exact.description, parent.description) as varchar) as description,
    cast(coalesce(latest.unit, exact.unit, parent.unit) as varchar) as unit,
    cast(coalesce(latest.polarity, exact.polarity, parent.polarity) as varchar) as polarity,
    cast(derivation.derivation as varchar) as derivation,
    cast(
        case
            when derivation.derivation <> 'derivable' then 'Not derivable'
            when latest.kpi_ref is null then 'No value yet'
            when latest.status = 'No value' then 'No value'
            else 'Value'
        end
        as varchar
    ) as status,
    cast(latest.month as date) as month,
    cast(latest.measure_basis as varchar) as measure_basis,
    cast(latest.value as double) as value,
    cast(round(
        latest.value,
        case when coalesce(latest.unit, exact.unit, parent.unit) = 'count' then 0 else 1 end
    ) as double) as value_rounded,
    cast(latest.numerator as double) as numerator,
    cast(latest.denominator as double) as denominator,
    cast(latest.target as double) as target,
    cast(coalesce(latest.target_kind, exact.target_kind, parent.target_kind, 'none') as varchar)
        as target_kind,
    cast(coalesce(exact.target_period, parent.target_period) as varchar) as target_period,
    cast(latest.tolerance as double) as tolerance,
    cast(latest.rag as varchar) as rag,
    cast(latest.value_same_month_last_year as double) as value_same_month_last_year,
    cast(latest.direction_of_travel as varchar) as direction_of_travel,
    cast(derivation.source_feed as varchar) as source_feed,
    cast(derivation.model as varchar) as model,
    cast(coalesce(derivation.reason, latest.reason) as varchar) as reason
from derivation
left join catalogue as exact
    on derivation.kpi_ref = exact.kpi_ref
        and derivation.council_code = exact.council_code
left join catalogue as parent
    on split_part(derivation.kpi_ref, '/', 1) = parent.kpi_ref
        and derivation.council_code = parent.council_code
        and exact.kpi_ref is null
left join latest
    on derivation.council_code = latest.council_code
        and derivation.kpi_ref = latest.kpi_ref
