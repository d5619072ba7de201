-- The submission each council's measures are built from: its latest loaded file, by reporting
-- period end and then load time. A nightly full extract or a later quarterly submission covering
-- the same period therefore supersedes the earlier one.
with

loads as (

    select * from {{ ref('stg_ops__load_audit') }}
    where load_status = 'loaded'

),

ranked as (

    select
        *,
        row_number() over (
            partition by council_code
            order by reporting_period_end_date desc, loaded_at desc, load_id desc
        ) as recency_rank
    from loads

)

select
    council_code,
    load_id,
    file_name,
    release,
    reporting_period_start_date,
    reporting_period_end_date,
    loaded_at
from ranked
where recency_rank = 1
