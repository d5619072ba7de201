-- Rows of each loaded CLD file counted by the month their event ends in, as DHSC's
-- create_REF_Submission_Reporting_Periods counts them: only rows with an event end date before
-- the first day of the month the file was imported (open events and future end dates are left
-- out), every event type as submitted, reviews included. DHSC's import time is when the file
-- reached it: here the time the file arrived in the landing folder, or the load time where
-- that is unknown. Input to
-- int_cld_submission_periods_derived. Incremental by load (macros/incremental_by_load.sql): a
-- night counts only the files it has not counted yet.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook=["{{ delete_loads_no_longer_wanted(loaded_cld_loads_sql()) }}"],
) }}
with

loads as (

    select * from {{ ref('stg_ops__cld_loads') }}
    where load_id in ({{ loaded_cld_loads_sql() }})

),

dated_events as (

    select
        events.load_id,
        cast(date_trunc('month', events.event_end_date) as date) as end_month,
        events.event_type
    from {{ ref('stg_cld__events') }} as events
    inner join loads
        on events.load_id = loads.load_id
    where events.event_end_date < date_trunc('month', coalesce(loads.arrived_at, loads.loaded_at))
        and {{ loads_to_build(loaded_cld_loads_sql(), 'events.load_id') }}

)

select
    load_id,
    end_month,
    count(*) as events_in_month,
    count(distinct event_type) as event_types_in_month
from dated_events
group by all
