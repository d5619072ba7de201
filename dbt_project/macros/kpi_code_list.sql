{#-
    The CLD values of one KPI code list (seeds/kpi_code_lists.csv), as a subquery for `in (...)`.
    field narrows a list that spans several CLD fields (direct_payment: component and mechanism).
-#}
{% macro kpi_code_list(code_list, field=none) -%}
    (
        select code_value
        from {{ ref('kpi_code_lists') }}
        where code_list = '{{ code_list }}'
        {%- if field is not none %}
            and cld_field_name = '{{ field }}'
        {%- endif %}
    )
{%- endmacro %}
