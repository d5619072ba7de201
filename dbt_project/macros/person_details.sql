{#-
    One row per council and person from their CLD records: the earliest birth month (the
    oldest age where records conflict, as DHSC's person-details table and SALT resolve it) and
    the latest date of death. `events` is a relation or CTE with council_code, person_id,
    birth_month and date_of_death; each caller passes the records it trusts (all of a
    person's records, or only their service-user ones).
-#}
{% macro person_details(events) -%}
    select
        council_code,
        person_id,
        min(birth_month) as birth_month,
        max(date_of_death) as date_of_death
    from {{ events }}
    group by council_code, person_id
{%- endmacro %}
