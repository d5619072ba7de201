{#-
    ASCOF outcome = numerator / denominator * multiplier, rounded half away from zero as the
    publication does (NHSE-ASCOF rounding.my_round), computed before any rounding of the counts.

    Integer arithmetic keeps the rounding exact: for counts n >= 0 and d > 0,
    round_half_up(n * m / d, p) = floor((2 * n * m * 10^p + d) / (2 * d)) / 10^p.
    Floating point would turn some exact halves (for example 82.45) into 82.4.
    The final scaling by 10^p cannot change the rounded digits: it is cast back to 3 decimals.
    A zero or null denominator gives a null outcome.
-#}
{% macro ascof_outcome(numerator, denominator, multiplier, decimal_places) -%}
    case
        when {{ denominator }} > 0 then cast(
            (2 * cast({{ numerator }} as hugeint) * {{ multiplier }}
                * cast(power(10, {{ decimal_places }}) as hugeint) + {{ denominator }})
            // (2 * cast({{ denominator }} as hugeint))
            / power(10, {{ decimal_places }})
        as decimal(18, 3))
    end
{%- endmacro %}
