-- Reads the clock: refreshed every night, even when no input changed (pipeline/nightly.py).
{{ config(tags=['date_dependent']) }}

-- Has each council's extract arrived by its configured time? The most recent deadline is the
-- latest expected_by_local_time (in var('schedule_time_zone')) at or before the as-of time; an
-- extract is late when nothing has arrived since the deadline before it (expected_every_days
-- earlier). Arrival is the file's landing time, recorded by the loader.
with

schedule as (

    select * from {{ ref('ref_extract_schedule') }}

),

arrivals as (

    select council_code, feed, max(arrived_at) as last_arrived_at
    from {{ ref('stg_ops__load_audit') }}
    group by council_code, feed

),

as_of as (

    select timezone(
        '{{ var("schedule_time_zone") }}',
        timezone(
            'UTC',
            {% if var('data_quality_as_of') %}cast('{{ var("data_quality_as_of") }}' as timestamp){% else %}
                cast(timezone('UTC', now()) as timestamp)
            {% endif %}
        )
    ) as as_of_local

),

deadlines as (

    select
        schedule.council_code,
        schedule.feed,
        schedule.expected_every_days,
        as_of.as_of_local,
        cast(as_of.as_of_local as date) + schedule.expected_by_local_time as todays_deadline
    from schedule
    cross join as_of

),

windows as (

    select
        *,
        case
            when as_of_local >= todays_deadline then todays_deadline
            else todays_deadline - interval 1 day
        end as latest_deadline
    from deadlines

)

select
    cast(windows.council_code as varchar) as council_code,
    cast(windows.feed as varchar) as feed,
    cast(windows.latest_deadline as timestamp) as latest_deadline_local,
    cast(
        timezone('{{ var("schedule_time_zone") }}', timezone('UTC', arrivals.last_arrived_at))
        as timestamp
    ) as last_arrived_local,
    cast(
        arrivals.last_arrived_at is null
        or timezone('{{ var("schedule_time_zone") }}', timezone('UTC', arrivals.last_arrived_at))
        <= windows.latest_deadline - to_days(windows.expected_every_days)
        as boolean
    ) as is_late
from windows
left join arrivals
    on windows.council_code = arrivals.council_code
        and windows.feed = arrivals.feed
