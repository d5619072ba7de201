-- Business-plan KPIs: every KPI that seeds/kpi_derivation.csv marks derivable has a value in
-- some month of fct_kpi_monthly for its council. Completeness, not integrity, so a warning: a
-- council that does not send a feed (a CLD-only council) still publishes. Returns each
-- derivable KPI without a value and why (fct_kpi_monthly's reason names the absent feed, e.g.
-- "no HOSP_ feed received for this council").
{{ config(severity='warn') }}

select
    derivation.council_code,
    derivation.kpi_ref,
    derivation.source_feed,
    coalesce(
        (
            select any_value(kpi.reason)
            from {{ ref('fct_kpi_monthly') }} as kpi
            where kpi.council_code = derivation.council_code
                and kpi.kpi_ref = derivation.kpi_ref
        ),
        'no month computed'
    ) as reason
from {{ ref('kpi_derivation') }} as derivation
where derivation.derivation = 'derivable'
    and not exists (
        select 1
        from {{ ref('fct_kpi_monthly') }} as kpi
        where kpi.council_code = derivation.council_code
            and kpi.kpi_ref = derivation.kpi_ref
            and kpi.status = 'Value'
    )
