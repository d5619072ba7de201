-- Every reference of seeds/kpi_lineage.csv whose regime the KPI catalogue holds must be a row of
-- seeds/kpi_catalogue.csv with that regime (ASCOF, SALT and other national codes are not
-- catalogued and are not checked). Returns the dangling references.
with

catalogued_regimes as (

    select distinct regime from {{ ref('kpi_catalogue') }}

),

lineage_refs as (

    select from_ref as kpi_ref, from_regime as regime from {{ ref('kpi_lineage') }}
    union
    select to_ref as kpi_ref, to_regime as regime from {{ ref('kpi_lineage') }}

)

select lineage_refs.kpi_ref, lineage_refs.regime
from lineage_refs
inner join catalogued_regimes on lineage_refs.regime = catalogued_regimes.regime
left join {{ ref('kpi_catalogue') }} as catalogue
    on lineage_refs.kpi_ref = catalogue.kpi_ref and lineage_refs.regime = catalogue.regime
where catalogue.kpi_ref is null
