{#- Values outside each column's own list of accepted values, one row per column and value with
    its count of rows; the test fails if there are any. Nulls are not checked (as dbt's
    accepted_values). values_by_column maps a column to its accepted values: strings are quoted,
    numbers and booleans are not. One scan of the model, grouped by each column in turn
    (grouping sets), checks every column: a row of one column's grouping set holds null in
    every other column, and a null is never a failure. -#}
{% test accepted_values_by_column(model, values_by_column) %}

{%- set columns = values_by_column.keys() | list %}
with value_counts as (
{{ value_counts_by_column(model, columns) }}
)

{% for column in columns -%}
select
    '{{ column }}' as column_name,
    cast(value_{{ loop.index }} as varchar) as value_field,
    n_records
from value_counts
where value_{{ loop.index }} not in (
    {%- for value in values_by_column[column] -%}
        {%- if value is string -%}
            '{{ value | replace("'", "''") }}'
        {%- else -%}
            {{ value }}
        {%- endif -%}
        {{- ", " if not loop.last }}
    {%- endfor -%}
    )
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

{% endtest %}
