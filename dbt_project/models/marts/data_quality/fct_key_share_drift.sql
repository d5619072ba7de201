-- Shares that reveal a broken extract when they jump, per loaded file, against the median of
-- the same council's previous loads: rows with an unknown or blank accommodation status, and
-- long-term community services with no delivery mechanism.
with

events as not materialized (

    select * from {{ ref('stg_cld__events') }}

),

loads as (

    select * from {{ ref('stg_ops__cld_loads') }}
    where load_status = 'loaded'

),

shares as (

    select
        load_id,
        'unknown accommodation status' as share_name,
        avg(case when accommodation_status is null
                or accommodation_status = '{{ var("unknown_accommodation_status") }}'
                then 1.0
            else 0.0
        end) as share
    from events
    group by load_id

    union all

    select
        load_id,
        'community service without delivery mechanism' as share_name,
        avg(case when delivery_mechanism is null then 1.0 else 0.0 end) as share
    from events
    where service_type = '{{ var("community_service_type") }}'
    group by load_id

),

with_history as (

    select
        loads.council_code,
        loads.load_id,
        loads.file_name,
        loads.loaded_at,
        shares.share_name,
        shares.share,
        median(shares.share) over previous_loads as trailing_median_share,
        row_number() over (
            partition by loads.council_code, shares.share_name
            order by loads.loaded_at desc, loads.load_id desc
        ) = 1 as is_latest_load
    from shares
    inner join loads
        on shares.load_id = loads.load_id
    window previous_loads as (
        partition by loads.council_code, shares.share_name order by loads.loaded_at, loads.load_id
        rows between {{ var('volume_history_loads') }} preceding and 1 preceding
    )

)

select
    cast(council_code as varchar) as council_code,
    cast(load_id as varchar) as load_id,
    cast(file_name as varchar) as file_name,
    cast(loaded_at as timestamp) as loaded_at,
    cast(share_name as varchar) as share_name,
    cast(share as double) as share,
    cast(trailing_median_share as double) as trailing_median_share,
    cast(
        coalesce(abs(share - trailing_median_share) > {{ var('share_drift_tolerance') }}, false)
        as boolean
    ) as is_drift,
    cast(is_latest_load as boolean) as is_latest_load
from with_history
