{#- Non-null values of a column that are not codes of the given field in a code-list seed
    (columns field, code). The loaders quarantine such rows, so any here is a loader fault. -#}
{% test value_in_code_list(model, column_name, code_list, field) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (
        select code from {{ code_list }} where field = '{{ field }}'
    )

{% endtest %}
