{#-
    One row per council and person with their birth month and date of death resolved across
    all their records, as DHSC's Create_personal_details_table does: of the records that
    state a value, those of the latest reference period win, then the earliest birth month
    (the oldest age) and the latest date of death. `events` has council_code, person_id,
    birth_month, date_of_death and reference_period_end_date.
-#}
{% macro person_details(events) -%}
    select
        council_code,
        person_id,
        arg_min(birth_month, [-epoch(reference_period_end_date), epoch(birth_month)]) filter (where birth_month is not null) as birth_month,
        arg_min(date_of_death, [-epoch(reference_period_end_date), -epoch(date_of_death)]) filter (where date_of_death is not null) as date_of_death
    from {{ events }}
    group by council_code, person_id
{%- endmacro %}
