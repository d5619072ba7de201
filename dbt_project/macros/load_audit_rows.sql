{#-
    The load audit (ops.load_audit) renamed for the models, all feeds or one feed's loads only.
    Each per-feed staging view reads the source itself rather than stg_ops__load_audit, so that
    dbt's graph knows which feed's loads a model depends on: an incremental night selects the
    readers of the feeds whose loads changed (asc_warehouse.pipeline.build_selection).
-#}
{% macro load_audit_rows(feed=none) -%}
with

source as (

    select * from {{ source('ops', 'load_audit') }}
    {%- if feed is not none %}
    where feed = '{{ feed }}'
    {%- endif %}

),

renamed as (

    select
        load_id,
        feed,
        file_name,
        checksum,
        council_code,
        release,
        reporting_period_start as reporting_period_start_date,
        reporting_period_end as reporting_period_end_date,
        status as load_status,
        rows_in,
        rows_loaded,
        rows_quarantined,
        loaded_at,
        arrived_at
    from source

)

select * from renamed
{%- endmacro %}
