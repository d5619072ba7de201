-- Business-plan KPIs: every KPI that seeds/kpi_derivation.csv marks derivable has rows in
-- fct_kpi_monthly for its council (a model was written, listed in the mart and computes it).
-- Returns the derivable KPIs with no row.
select derivation.council_code, derivation.kpi_ref, derivation.model
from {{ ref('kpi_derivation') }} as derivation
where derivation.derivation = 'derivable'
    and not exists (
        select 1
        from {{ ref('fct_kpi_monthly') }} as kpi
        where kpi.council_code = derivation.council_code
            and kpi.kpi_ref = derivation.kpi_ref
    )
