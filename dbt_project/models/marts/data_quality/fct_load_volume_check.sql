-- Row counts of each loaded CLD file against the median of the same council's previous loads.
-- OPEL files are left out: their size follows the pressure (twice-daily updates at OPEL 3),
-- and their completeness is checked unit by unit in fct_opel_update_compliance.
with

loads as (

    select * from {{ ref('stg_ops__cld_loads') }}
    where load_status = 'loaded'

),

with_history as (

    select
        *,
        median(rows_in) over previous_loads as trailing_median_rows,
        count(*) over previous_loads as previous_load_count,
        row_number() over (
            partition by council_code, feed order by loaded_at desc, load_id desc
        ) = 1 as is_latest_load
    from loads
    window previous_loads as (
        partition by council_code, feed order by loaded_at, load_id
        rows between {{ var('volume_history_loads') }} preceding and 1 preceding
    )

)

select
    cast(council_code as varchar) as council_code,
    cast(feed as varchar) as feed,
    cast(load_id as varchar) as load_id,
    cast(file_name as varchar) as file_name,
    cast(loaded_at as timestamp) as loaded_at,
    cast(rows_in as bigint) as rows_in,
    cast(trailing_median_rows as double) as trailing_median_rows,
    cast(previous_load_count as bigint) as previous_load_count,
    cast(rows_in / nullif(trailing_median_rows, 0) as double) as ratio_to_median,
    cast(
        previous_load_count >= {{ var('volume_min_history') }}
        and abs(rows_in / nullif(trailing_median_rows, 0) - 1) > {{ var('volume_tolerance') }}
        as boolean
    ) as is_anomalous,
    cast(is_latest_load as boolean) as is_latest_load
from with_history
