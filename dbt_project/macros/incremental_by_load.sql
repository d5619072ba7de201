{#-
    Per-file models built incrementally by load (README, "Incremental nights"). Each such
    model holds rows of the loads in a "wanted" set (a query returning load_id): all loaded CLD
    files, or only each file name's current load. A night's run adds the wanted loads it does
    not hold yet and first deletes the rows of loads no longer wanted (superseded by a file of
    the same name, no longer loaded), so the table always equals a full rebuild.

    What a load contributes never changes once it is loaded: the pipeline runs a full refresh
    whenever anything else a per-file model reads changes (seeds, models, vars, the key, or a
    retention purge of CLD events; asc_warehouse.pipeline.fingerprint).

    A model holds a load when it has rows of it, so a wanted load that yields no rows would be
    processed again every incremental night. The failure mart therefore wants only the current
    loads whose field-quality counts include a failing status. int_cld_submission_months_counted
    still re-reads, each incremental night, a loaded file none of whose events ended before the
    month it arrived in (all open or in the future): knowing that needs the scan itself, and such
    a file is rare (a CLD extract covers twelve months of events) and cheap to count again.
-#}

{#- The filter on a model's source rows: in an incremental run, the wanted loads this model does
    not hold yet, written out as a list of literals so that it reaches the scan of
    raw.cld_events through the staging views (a subquery would not be pushed through an
    unpivot); in a full build, every wanted load. -#}
{% macro loads_to_build(wanted_loads_sql, load_id_column='load_id') -%}
    {%- if is_incremental() and execute -%}
        {%- set new_loads_query -%}
            select load_id from ({{ wanted_loads_sql }})
            except
            select load_id from {{ this }}
            order by load_id
        {%- endset -%}
        {%- set new_loads = run_query(new_loads_query).columns[0].values() -%}
        {%- if new_loads | length == 0 -%}
            false
        {%- else -%}
            {{ load_id_column }} in (
            {%- for load_id in new_loads -%}
                '{{ load_id | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
            {%- endfor -%}
            )
        {%- endif -%}
    {%- else -%}
        {{ load_id_column }} in ({{ wanted_loads_sql }})
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: remove the rows of loads that are no longer wanted, before new ones are added. -#}
{% macro delete_loads_no_longer_wanted(wanted_loads_sql) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where load_id not in ({{ wanted_loads_sql }})
    {%- endif -%}
{%- endmacro %}

{#- The wanted sets. -#}
{% macro loaded_cld_loads_sql() -%}
    select load_id from {{ ref('stg_ops__cld_loads') }}
    where load_status = 'loaded'
{%- endmacro %}

{% macro current_cld_loads_sql() -%}
    select load_id from {{ ref('int_cld_current_loads') }}
{%- endmacro %}

{#- Current loads with at least one failing field, from the counts already built tonight. -#}
{% macro failing_cld_loads_sql() -%}
    select distinct load_id from {{ ref('fct_cld_field_quality') }}
    where validation_status in ({{ failing_validation_statuses_sql() }})
{%- endmacro %}

{% macro failing_validation_statuses_sql() -%}
    {%- for status in var('cld_failing_validation_statuses') -%}
        '{{ status | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}
