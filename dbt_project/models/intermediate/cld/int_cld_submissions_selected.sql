-- Which loaded submission supplies each council's data for each reference period (a quarter of
-- the financial year), following the national submission-selection method (DHSC methodology
-- 3-submission-selection): for every quarter a submission covers, the submission with the
-- latest reporting period end wins, then the latest loaded. A quarterly rolling 12-month
-- submission therefore supersedes the earlier one for the quarters they share, and older
-- quarters keep coming from the submissions that covered them.
with

loads as (

    select * from {{ ref('stg_ops__load_audit') }}
    where load_status = 'loaded' and feed = '{{ var("cld_feed") }}'

),

quarters as (

    -- Quarters of a financial year starting in April are calendar quarters.
    select
        loads.*,
        unnest(generate_series(
            date_trunc('quarter', reporting_period_start_date),
            reporting_period_end_date,
            interval 3 month
        )) as quarter_start
    from loads

),

clipped as (

    select
        council_code,
        load_id,
        release,
        reporting_period_end_date,
        loaded_at,
        cast(greatest(quarter_start, reporting_period_start_date) as date)
            as reference_period_start_date,
        cast(least(quarter_start + interval 3 month - interval 1 day, reporting_period_end_date)
            as date) as reference_period_end_date,
        cast(quarter_start as date) as quarter_start_date
    from quarters

),

ranked as (

    select
        *,
        row_number() over (
            partition by council_code, quarter_start_date
            order by reporting_period_end_date desc, loaded_at desc, load_id desc
        ) as recency_rank
    from clipped

)

select
    council_code,
    quarter_start_date,
    reference_period_start_date,
    reference_period_end_date,
    load_id,
    release
from ranked
where recency_rank = 1
