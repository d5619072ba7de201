-- Month-end counts of people in long-term support by setting and client group (S001 Table 8,
-- reference 2.3), from int_kpi_long_term_support_month_end (one row per person, in their
-- highest setting, so nobody counts in two settings):
--   AH05 OPPD in residential care; AH06 OPPD in nursing care;
--   AH08 learning disability in residential or nursing care; AH09 learning disability in
--   community support (AH08 + AH09 = learning-disability people in long-term support other
--   than prison);
--   AH10 mental health, any setting; AH14 mental health in residential or nursing care;
--   AH20 mental health with an open direct payment; AH24 mental health whose latest known
--   accommodation is supported accommodation (seeds/kpi_code_lists.csv).
-- "Residential care" for the learning-disability and mental-health groups includes nursing
-- homes, which the plan gives no separate line for [INT]. Every month has a row per KPI: 0
-- when nobody qualifies.
{%- set kpi_conditions = {
    'AH05': "division = 'OPPD' and setting = 'Residential'",
    'AH06': "division = 'OPPD' and setting = 'Nursing'",
    'AH08': "client_group = 'Learning disability' and setting in ('Residential', 'Nursing')",
    'AH09': "client_group = 'Learning disability' and setting = 'Community'",
    'AH10': "client_group = 'Mental health'",
    'AH14': "client_group = 'Mental health' and setting in ('Residential', 'Nursing')",
    'AH20': "client_group = 'Mental health' and has_direct_payment",
    'AH24': "client_group = 'Mental health' and accommodation_status in " ~ kpi_code_list('supported_accommodation'),
} %}

with

months as (

    select * from {{ ref('int_kpi_months_enumerated') }}

),

people as (

    select * from {{ ref('int_kpi_long_term_support_month_end') }}

),

counts as (

    select
        council_code,
        month,
    {%- for kpi_ref, condition in kpi_conditions.items() %}
        count(*) filter (where {{ condition }}) as "{{ kpi_ref }}"{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from people
    group by council_code, month

)

{% for kpi_ref in kpi_conditions %}
    select
        cast(months.council_code as varchar) as council_code,
        cast('{{ kpi_ref }}' as varchar) as kpi_ref,
        cast(months.month as date) as month,
        cast('month_end_snapshot' as varchar) as measure_basis,
        cast(coalesce(counts."{{ kpi_ref }}", 0) as double) as numerator,
        cast(null as double) as denominator,
        cast(coalesce(counts."{{ kpi_ref }}", 0) as double) as value
    from months
    left join counts
        on months.council_code = counts.council_code
            and months.month = counts.month
    {% if not loop.last %}union all{% endif %}
{% endfor %}
