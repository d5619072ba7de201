{#-
    CLD models after submission selection built incrementally by selection slice (README,
    "Incremental nights"). A selection slice is one selected file over one reference period:
    (council_code, load_id, reference_period_start_date, reference_period_end_date), the rows of
    int_cld_submissions_selected with the quarters left out.

    A new file of council C changes the slices of C only: selection ranks files within a
    council and quarter, so it may add a slice of the new file and shorten or remove the slices
    of C's files it replaces for some quarters. Every other council's slices, and C's slices
    whose quarters it does not reach, are unchanged. What a slice's rows are made of never
    changes between full refreshes: the pipeline refreshes everything whenever anything but
    the set of loads changes (seeds, models, vars, the key, a retention purge of CLD events;
    asc_warehouse.pipeline.fingerprint), and a loaded file's events are fixed.

    Two grains:
      * by slice (int_cld_events_selected): a row belongs to one slice and depends on nothing
        else, so deleting the slices no longer selected and adding the selected slices the table
        does not hold equals a full rebuild. A selected slice yielding no rows is built again
        each incremental night (the table cannot tell it holds it); it yields no rows again.
      * by council (int_cld_events_deduplicated): a row depends on every slice of its council
        (the latest reference period, the next period's events, a person's details across
        periods) and on no other council's. The council's rows are rebuilt whole when its slice
        set differs from the one the table was last built from. That set is kept beside the
        table (its post-hook writes <table>__selection_built); no such record means every
        council is rebuilt. The models after deduplication that read CLD only and whose rows
        for a council depend on that council's rows upstream alone (person details, ASCOF 2A,
        2B/2C, 2E and 3D, the SALT intermediates, the CLD KPIs: README, "Incremental nights")
        are built the same way, each filtering every input to the councils it rebuilds and
        keeping its own record, so each is right whichever of them ran on a night. A model
        reading another feed (2D, hospital discharges) or comparing councils is not: that
        feed's nights change it without changing the slice set.
-#}

{#- The selection slices as they stand tonight. -#}
{% macro selected_slices_sql() -%}
    select distinct council_code, load_id, reference_period_start_date, reference_period_end_date
    from {{ ref('int_cld_submissions_selected') }}
{%- endmacro %}

{#- By slice: the filters on the selected slices and on the events read. In an incremental run,
    the selected slices this table does not hold, written out as literals (the events scan is
    then limited to their files); in a full build, every slice. -#}
{% macro selection_slices_to_build() -%}
    {%- if is_incremental() and execute -%}
        {%- set new_slices_query -%}
            select
                load_id,
                cast(reference_period_start_date as varchar),
                cast(reference_period_end_date as varchar)
            from ({{ selected_slices_sql() }})
            except
            select
                load_id,
                cast(reference_period_start_date as varchar),
                cast(reference_period_end_date as varchar)
            from {{ this }}
            order by 1, 2, 3
        {%- endset -%}
        {%- set new_slices = run_query(new_slices_query).rows -%}
        {%- if new_slices | length == 0 -%}
            {{ return({'filter': 'false', 'load_filter': 'false'}) }}
        {%- endif -%}
        {%- set slice_literals = [] -%}
        {%- set load_literals = [] -%}
        {%- for load_id, start_date, end_date in new_slices -%}
            {%- set load_literal = "'" ~ (load_id | replace("'", "''")) ~ "'" -%}
            {%- do slice_literals.append(
                "(" ~ load_literal ~ ", date '" ~ start_date ~ "', date '" ~ end_date ~ "')") -%}
            {%- if load_literal not in load_literals -%}
                {%- do load_literals.append(load_literal) -%}
            {%- endif -%}
        {%- endfor -%}
        {{ return({
            'filter': '(load_id, reference_period_start_date, reference_period_end_date) in ('
                ~ slice_literals | join(', ') ~ ')',
            'load_filter': 'load_id in (' ~ load_literals | join(', ') ~ ')',
        }) }}
    {%- else -%}
        {{ return({'filter': 'true', 'load_filter': 'true'}) }}
    {%- endif -%}
{%- endmacro %}

{#- By slice, pre-hook: remove the rows of slices no longer selected. -#}
{% macro delete_slices_no_longer_selected() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where (load_id, reference_period_start_date, reference_period_end_date) not in (
            select load_id, reference_period_start_date, reference_period_end_date
            from ({{ selected_slices_sql() }})
        )
    {%- endif -%}
{%- endmacro %}

{#- By council: where the slice set this table was last built from is kept. -#}
{% macro selection_built_relation() -%}
    {{ return(api.Relation.create(
        database=this.database, schema=this.schema,
        identifier=this.identifier ~ '__selection_built')) }}
{%- endmacro %}

{#- By council: the filter on council_code. In an incremental run, the councils whose slice set
    differs (either way) from the recorded one, as literals; every council when there is no
    record; in a full build, every council. -#}
{% macro councils_to_rebuild() -%}
    {%- if not (is_incremental() and execute) -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set built = selection_built_relation() -%}
    {%- if adapter.get_relation(
            database=built.database, schema=built.schema, identifier=built.identifier) is none -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set changed_councils_query -%}
        select council_code from (
            (select * from ({{ selected_slices_sql() }}) except select * from {{ built }})
            union all
            (select * from {{ built }} except select * from ({{ selected_slices_sql() }}))
        )
        group by council_code
        order by council_code
    {%- endset -%}
    {%- set changed_councils = run_query(changed_councils_query).columns[0].values() -%}
    {%- if changed_councils | length == 0 -%}
        {{ return('false') }}
    {%- endif -%}
    {%- set council_literals = [] -%}
    {%- for council_code in changed_councils -%}
        {%- do council_literals.append("'" ~ (council_code | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return('council_code in (' ~ council_literals | join(', ') ~ ')') }}
{%- endmacro %}

{#- By council, pre-hook: remove the rows of the councils rebuilt tonight. -#}
{% macro delete_councils_to_rebuild() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ councils_to_rebuild() }}
    {%- endif -%}
{%- endmacro %}

{#- By council, post-hook: record the slice set the table now reflects. -#}
{% macro record_selection_built() -%}
    create or replace table {{ selection_built_relation() }} as
    {{ selected_slices_sql() }}
{%- endmacro %}

{#- By council: the config every model built by council shares (the header above says why a
    council's rows rebuilt whole equal a full rebuild). -#}
{% macro config_incremental_by_council() -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=["{{ delete_councils_to_rebuild() }}"],
        post_hook=["{{ record_selection_built() }}"],
    ) }}
{%- endmacro %}
