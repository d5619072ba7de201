{#-
    A KPI value from its numerator and denominator, unrounded (business-plan KPIs, issue 5):
    multiplier 100 for a percentage, 1 for an average, 100000 for a rate per 100,000.
    A zero or null denominator gives null: there is nothing to rate.
-#}
{% macro kpi_ratio(numerator, denominator, multiplier=1) -%}
    case
        when ({{ denominator }}) > 0
            then cast({{ multiplier }} as double) * ({{ numerator }}) / ({{ denominator }})
    end
{%- endmacro %}
