{#-
    The rows of a person-level feed's staging model, one per council and record key: the row
    from the load with the latest reporting period end, then the latest load time (the CLD
    submission rule), then the last row of that file. A record re-sent in a later file is
    therefore replaced by its newer version, and one a later file no longer lists is kept as
    last sent. feed_loads_model is the feed's own view of the load audit (stg_ops__<feed>_loads).
-#}
{% macro latest_load_per_key(staging_model, feed_loads_model, key_column) -%}
with

records as (

    select * from {{ ref(staging_model) }}

),

loads as (

    select * from {{ ref(feed_loads_model) }}

),

ranked as (

    select
        records.*,
        row_number() over (
            partition by records.council_code, records.{{ key_column }}
            order by
                loads.reporting_period_end_date desc nulls last,
                loads.loaded_at desc nulls last,
                records.load_id desc,
                records.source_row_number desc
        ) as load_rank
    from records
    left join loads
        on records.load_id = loads.load_id

)

select * exclude (load_rank)
from ranked
where load_rank = 1
{%- endmacro %}
