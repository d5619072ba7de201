{#- Non-null values of several columns that are not codes of each column's own field in one
    code-list seed (columns field, code), one row per column and value with its count of rows.
    fields_by_column maps a column to its field. One scan of the model, grouped by each column
    in turn (grouping sets), checks every column: a row of one column's grouping set holds null
    in every other column, and a null is never a failure. The loaders quarantine such rows, so
    any here is a loader fault. -#}
{% test values_in_code_list(model, code_list, fields_by_column) %}

{%- set columns = fields_by_column.keys() | list %}
with value_counts as (
{{ value_counts_by_column(model, columns) }}
)

{% for column in columns -%}
select
    '{{ column }}' as column_name,
    cast(value_{{ loop.index }} as varchar) as value_field,
    n_records
from value_counts
where value_{{ loop.index }} is not null
    and value_{{ loop.index }} not in (
        select code from {{ code_list }}
        where field = '{{ fields_by_column[column] | replace("'", "''") }}'
    )
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

{% endtest %}
