{#-
    Days a DoLS application of the given type has to be completed in: var('dols_urgent_days')
    for var('dols_urgent_application_type'), var('dols_standard_days') for every other type.
-#}
{% macro dols_statutory_days(application_type) -%}
    case
        when {{ application_type }} = '{{ var("dols_urgent_application_type") }}'
            then {{ var('dols_urgent_days') }}
        else {{ var('dols_standard_days') }}
    end
{%- endmacro %}
