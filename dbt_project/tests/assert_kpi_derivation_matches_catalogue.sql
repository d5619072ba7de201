-- Business-plan KPIs: seeds/kpi_derivation.csv and seeds/kpi_catalogue.csv describe the same
-- indicators.
--   * every derivation row names a catalogue indicator of its council: its own kpi_ref, or for
--     a series `<ref>/<ASCOF code>` the indicator `<ref>`;
--   * every indicator of Kent's 2018-19 plan (KPIs and activity measures) has a derivation row,
--     derivable or not, so none is silently missing from the scorecard.
-- Returns the rows breaking either rule.
with

derivation as (

    select * from {{ ref('kpi_derivation') }}

),

catalogue as (

    select * from {{ ref('kpi_catalogue') }}

)

select
    'derivation row without catalogue indicator' as problem,
    derivation.council_code,
    derivation.kpi_ref
from derivation
where not exists (
        select 1 from catalogue
        where catalogue.council_code = derivation.council_code
            and catalogue.kpi_ref in (derivation.kpi_ref, split_part(derivation.kpi_ref, '/', 1))
    )

union all

select 'Kent plan indicator without derivation row', catalogue.council_code, catalogue.kpi_ref
from catalogue
where catalogue.regime in ('kent_2018_19_kpi', 'kent_2018_19_activity')
    and not exists (
        select 1 from derivation
        where derivation.council_code = catalogue.council_code
            and derivation.kpi_ref = catalogue.kpi_ref
    )
