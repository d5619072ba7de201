{#- The given columns of a model, each with its count of null rows, where that count is above
    zero; the test fails if there are any. One scan of the model checks every column, where one
    not_null test per column would compute a view, or read a table, once per column. -#}
{% test not_null_columns(model, columns) %}

with null_counts as (
    select
    {%- for column in columns %}
        count(*) filter (where {{ column }} is null) as null_rows_{{ loop.index }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)

{% for column in columns -%}
select '{{ column }}' as column_name, null_rows_{{ loop.index }} as null_rows
from null_counts
where null_rows_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

{% endtest %}
