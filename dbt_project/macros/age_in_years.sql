{#-
    Age in whole years on a date, as DHSC computes it: FLOOR(DATEDIFF(day, DoB, date) / 365.25)
    with the birth date taken as the 1st of the birth month (only year and month are held).
-#}
{% macro age_in_years(birth_month, on_date) -%}
    floor(datediff('day', {{ birth_month }}, {{ on_date }}) / {{ var('age_days_per_year') }})
{%- endmacro %}
