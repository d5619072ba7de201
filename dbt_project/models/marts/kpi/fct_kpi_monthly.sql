-- Business-plan KPIs per council and month with target, RAG and direction of travel (issue 5).
-- Every int_kpi_*_monthly model returns the same columns (the KPI contract); add a model to the
-- list below with one line. A model may compute a KPI for every council: only the councils
-- whose plan holds the KPI (seeds/kpi_derivation.csv) are kept; a kpi_ref the seed does not
-- know at all is kept, so the relationships test on kpi_ref fails loudly instead of dropping it.
-- Catalogue facts (unit, polarity, target, tolerance) come from seeds/kpi_catalogue.csv by
-- kpi_ref, or, for a series `<ref>/<ASCOF code>`, from its indicator `<ref>`.
-- Targets are the plan's annual figures, applied to every month whatever year they were set
-- for (the 2018-19 plan gives the only targets). A financial_year_to_date count is compared
-- with the target pro rata to the months of the financial year elapsed (target x m / 12 in
-- month m; March holds the full target). The Amber band (tolerance) is the catalogue's
-- rag_tolerance in percentage points for percentages and as a share of the target for other
-- units (a blank tolerance is 0). Nothing is rounded here: RAG and trend use the raw value.
-- Publication degrades, it does not stop: a derivable KPI built on a person-level feed the
-- council has never sent (no loaded HOSP_, SG_ or DOLS_ file) gets a row for every month of its
-- CLD calendar with no value, measure_basis 'none', status 'No value' and the reason naming the
-- absent feed; a value over nobody is 'No value', "no eligible people".
{%- set kpi_models = [
    'int_kpi_contacts_monthly',
    'int_kpi_contact_resolution_monthly',
    'int_kpi_enablement_monthly',
    'int_kpi_enablement_bypass_monthly',
    'int_kpi_employment_monthly',
    'int_kpi_reviews_monthly',
    'int_kpi_home_care_monthly',
    'int_kpi_long_term_support_monthly',
    'int_kpi_assessments_reviews_monthly',
    'int_kpi_medway_ascof_monthly',
    'int_kpi_hospital_delays_monthly',
    'int_kpi_hospital_discharges_monthly',
    'int_kpi_safeguarding_monthly',
    'int_kpi_dols_monthly',
] %}

with

kpi_values as (

    {% for model in kpi_models %}
        select council_code, kpi_ref, month, measure_basis, numerator, denominator, value
        from {{ ref(model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

derivation as (

    select * from {{ ref('kpi_derivation') }}

),

feed_absent as (

    select
        derivation.council_code,
        derivation.kpi_ref,
        calendar.month,
        'none' as measure_basis,
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        cast(null as double) as value,
        never_received.missing_feed_reason as missing_reason
    from derivation
    inner join {{ ref('int_person_feeds_never_received') }} as never_received
        on derivation.council_code = never_received.council_code
            and derivation.source_feed = never_received.feed
    inner join {{ ref('int_kpi_months_enumerated') }} as calendar
        on derivation.council_code = calendar.council_code
    where derivation.derivation = 'derivable'

),

kpi_rows as (

    select *, cast(null as varchar) as missing_reason from kpi_values
    union all
    select * from feed_absent

),

catalogue as (

    select * from {{ ref('kpi_catalogue') }}

),

in_plan as (

    select kpi_rows.*
    from kpi_rows
    where exists (
            select 1 from derivation
            where derivation.kpi_ref = kpi_rows.kpi_ref
                and derivation.council_code = kpi_rows.council_code
                and derivation.derivation = 'derivable'
        )
        or not exists (
            select 1 from derivation
            where derivation.kpi_ref = kpi_rows.kpi_ref
        )

),

with_catalogue as (

    select
        in_plan.*,
        coalesce(exact.unit, parent.unit) as unit,
        coalesce(exact.polarity, parent.polarity) as polarity,
        coalesce(exact.target_kind, parent.target_kind) as target_kind,
        case
            when coalesce(exact.target_kind, parent.target_kind) in ('target', 'baseline')
                then coalesce(exact.target_value, parent.target_value)
        end as annual_target,
        coalesce(exact.rag_tolerance, parent.rag_tolerance, 0) as rag_tolerance,
        -- 1 in the first month of the financial year, 12 in its last.
        (month(in_plan.month) - {{ var('financial_year_start_month') }} + 12) % 12 + 1
            as month_of_financial_year
    from in_plan
    left join catalogue as exact
        on in_plan.kpi_ref = exact.kpi_ref
            and in_plan.council_code = exact.council_code
    left join catalogue as parent
        on split_part(in_plan.kpi_ref, '/', 1) = parent.kpi_ref
            and in_plan.council_code = parent.council_code
            and exact.kpi_ref is null

),

targeted as (

    select
        *,
        case
            when measure_basis = 'financial_year_to_date'
                then annual_target * month_of_financial_year / 12
            else annual_target
        end as target
    from with_catalogue

),

banded as (

    select
        *,
        case
            when unit = 'percent' then rag_tolerance
            else rag_tolerance * abs(target)
        end as tolerance
    from targeted

),

compared as (

    select
        banded.*,
        last_year.value as value_same_month_last_year
    from banded
    left join kpi_values as last_year
        on banded.council_code = last_year.council_code
            and banded.kpi_ref = last_year.kpi_ref
            and banded.measure_basis = last_year.measure_basis
            and banded.month - interval 12 month = last_year.month

)

select
    cast(council_code as varchar) as council_code,
    cast(kpi_ref as varchar) as kpi_ref,
    cast(month as date) as month,
    cast(measure_basis as varchar) as measure_basis,
    cast(value as double) as value,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(target as double) as target,
    cast(coalesce(target_kind, 'none') as varchar) as target_kind,
    cast({{ kpi_rag('value', 'target', 'tolerance', 'polarity') }} as varchar) as rag,
    cast(value_same_month_last_year as double) as value_same_month_last_year,
    cast(
        {{ kpi_direction_of_travel('value', 'value_same_month_last_year', 'target', 'polarity') }} as varchar
    )
        as direction_of_travel,
    cast(unit as varchar) as unit,
    cast(polarity as varchar) as polarity,
    cast(case when target is not null then tolerance end as double) as tolerance,
    cast(case when value is null then 'No value' else 'Value' end as varchar) as status,
    cast(
        case
            when missing_reason is not null then missing_reason
            when value is null and denominator = 0 then 'no eligible people'
            when value is null then 'no value computed'
        end
        as varchar
    ) as reason
from compared
