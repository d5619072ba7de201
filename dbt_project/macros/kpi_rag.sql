{#-
    RAG rating of a KPI value against its target (business-plan KPIs; the rule is this
    project's, the plans give none). tolerance is the Amber band in the KPI's own unit.
      higher_is_better: Green at or above the target, Amber up to tolerance below it, else Red;
      lower_is_better: Green at or below the target, Amber up to tolerance above it, else Red;
      neutral or unclear: Green within tolerance either side, Amber within twice it, else Red.
    No target gives "No target"; a target but no value (a percentage over nobody) "No value".
    Values are compared unrounded.
-#}
{% macro kpi_rag(value, target, tolerance, polarity) -%}
    case
        when {{ target }} is null then 'No target'
        when {{ value }} is null then 'No value'
        when {{ polarity }} = 'higher_is_better' then
            case
                when {{ value }} >= {{ target }} then 'Green'
                when {{ value }} >= {{ target }} - {{ tolerance }} then 'Amber'
                else 'Red'
            end
        when {{ polarity }} = 'lower_is_better' then
            case
                when {{ value }} <= {{ target }} then 'Green'
                when {{ value }} <= {{ target }} + {{ tolerance }} then 'Amber'
                else 'Red'
            end
        else
            case
                when abs({{ value }} - {{ target }}) <= {{ tolerance }} then 'Green'
                when abs({{ value }} - {{ target }}) <= 2 * {{ tolerance }} then 'Amber'
                else 'Red'
            end
    end
{%- endmacro %}

{#-
    Direction of travel of a KPI against the same month a year earlier, read through its
    polarity: higher_is_better rises and lower_is_better falls are Improving; for neutral or
    unclear KPIs with a target, moving closer to the target is Improving (further is
    Worsening); without a target they have no better direction. Equal values are No change;
    a missing value either year is Not comparable.
-#}
{% macro kpi_direction_of_travel(value, value_last_year, target, polarity) -%}
    case
        when {{ value }} is null or {{ value_last_year }} is null then 'Not comparable'
        when {{ value }} = {{ value_last_year }} then 'No change'
        when {{ polarity }} = 'higher_is_better' then
            case when {{ value }} > {{ value_last_year }} then 'Improving' else 'Worsening' end
        when {{ polarity }} = 'lower_is_better' then
            case when {{ value }} < {{ value_last_year }} then 'Improving' else 'Worsening' end
        when {{ target }} is null then 'Not comparable'
        when abs({{ value }} - {{ target }}) < abs({{ value_last_year }} - {{ target }}) then 'Improving'
        when abs({{ value }} - {{ target }}) > abs({{ value_last_year }} - {{ target }}) then 'Worsening'
        else 'No change'
    end
{%- endmacro %}
