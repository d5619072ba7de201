{#- The columns of raw.cld_events that hold a submitted field: its value as submitted, or for an
    identifying field the check status the loader recorded before hashing, reducing or dropping
    it. Every column but the load's own (which file, council and release a row came from) and
    what the loader derived from identifying fields (pseudonyms, birth month, postcode
    district). Read from the table when the model runs, so a column the loader gains is
    validated without a change here. stg_cld__submitted_values makes rows of these columns and
    the field-quality marts read them, so they always agree. -#}
{% macro cld_columns_not_submitted() %}
    {{ return([
        'council_code', 'release', 'load_id', 'source_file', 'source_row_number', 'loaded_at',
        'nhs_number_pseudo', 'la_person_id_pseudo', 'birth_month', 'postcode_district',
        'adult_1_linked_person_id_pseudo', 'adult_2_linked_person_id_pseudo',
        'adult_3_linked_person_id_pseudo',
    ]) }}
{% endmacro %}

{% macro cld_submitted_columns() %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {#- The loaded table itself (models/staging/cld/_cld__sources.yml), not source(): in a unit
        test source() names the test's fixture, whose columns cannot be read before it runs. -#}
    {%- set events = api.Relation.create(
        database=target.database, schema='raw', identifier='cld_events') -%}
    {%- set not_submitted = cld_columns_not_submitted() -%}
    {%- set submitted = [] -%}
    {%- for column in adapter.get_columns_in_relation(events) -%}
        {%- if column.name | lower not in not_submitted -%}
            {%- do submitted.append(column.name | lower) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if submitted | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "raw.cld_events has no submitted columns to read: is the CLD source elsewhere?") }}
    {%- endif -%}
    {{ return(submitted) }}
{% endmacro %}

{#- Whether a row's event has ended: it has an end date that is not blank. -#}
{% macro cld_event_has_ended(end_date_column) -%}
    nullif(trim({{ end_date_column }}), '') is not null
{%- endmacro %}

{#- A loaded row's id: its load and row number, zero-padded so that ids sort in row order (row 9
    before row 10) wherever a model breaks a tie on event_row_id. -#}
{% macro cld_event_row_id() -%}
    load_id || ':' || lpad(cast(source_row_number as varchar), 10, '0')
{%- endmacro %}

{#- The select list that makes one submitted column of raw.cld_events into rows of
    stg_cld__submitted_values: the row, what the field's status depends on, and the column's
    name and value. -#}
{% macro cld_submitted_value_of(column) -%}
    {{ cld_event_row_id() }} as event_row_id,
    event_type as row_event_type,
    event_reference as row_event_reference,
    {{ cld_event_has_ended('event_end_date') }} as row_event_has_ended,
    council_code,
    release,
    load_id,
    source_file,
    source_row_number,
    '{{ column }}' as column_name,
    {{ column }} as submitted_value
{%- endmacro %}
