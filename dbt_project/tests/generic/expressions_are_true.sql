{#- Each boolean SQL expression that is not true (false or null) for some rows of the model, with
    its count of such rows; the test fails if there are any. One scan of the model checks every
    expression. -#}
{% test expressions_are_true(model, expressions) %}

with failing_counts as (
    select
    {%- for expression in expressions %}
        count(*) filter (where not coalesce(({{ expression }}), false)) as failing_rows_{{ loop.index }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)

{% for expression in expressions -%}
select
    '{{ expression | replace("'", "''") }}' as expression,
    failing_rows_{{ loop.index }} as failing_rows
from failing_counts
where failing_rows_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

{% endtest %}
