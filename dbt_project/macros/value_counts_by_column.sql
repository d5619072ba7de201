{#- Each listed column's values with their count of rows, in one scan of the model: grouped by
    each column in turn (grouping sets), so value_<n> holds the n-th column's value on that
    column's rows and null on every other column's. The multi-column value tests (tests/generic) read this. -#}
{% macro value_counts_by_column(model, columns) %}
    select
    {%- for column in columns %}
        {{ column }} as value_{{ loop.index }},
    {%- endfor %}
        count(*) as n_records
    from {{ model }}
    group by grouping sets (
    {%- for column in columns %}({{ column }}){{ ", " if not loop.last }}{% endfor -%}
    )
{% endmacro %}
