{#- Rows for which a boolean SQL expression is not true; the test fails if there are any. -#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
