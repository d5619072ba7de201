-- The reporting period each loaded CLD file really covers, derived from its data as DHSC's
-- running code does (create_REF_Submission_Reporting_Periods, scheduled in its pipeline):
--   * rows are counted by the month of their event end date (int_cld_submission_months_counted);
--   * a month is covered when it holds at least var('cld_period_min_month_share_pct') % of
--     the file's counted events and at least as many event types as the file's busiest month
--     less var('cld_period_event_type_shortfall') (3 of 4);
--   * the derived period runs from the first day of the first covered month to the last day
--     of the last covered month (thin months are trimmed at both ends, gaps inside are kept);
--   * a file with fewer than var('cld_period_min_file_events') counted events covers every
--     month it has an end date in (DHSC), or its stated period when
--     var('cld_small_file_period') is "stated";
--   * a file with no counted event has no derived period and is never selected.
-- Files in seeds/cld_excluded_submissions.csv (by checksum) are flagged with the reason.
with

loads as (

    select * from {{ ref('stg_ops__cld_loads') }}
    where load_status = 'loaded'

),

excluded as (

    select * from {{ ref('cld_excluded_submissions') }}

),

months as not materialized (

    select * from {{ ref('int_cld_submission_months_counted') }}

),

files as (

    select
        load_id,
        sum(events_in_month) as dated_events,
        max(event_types_in_month) as event_types_in_busiest_month
    from months
    group by all

),

covered_months as (

    select months.load_id, months.end_month, files.dated_events
    from months
    inner join files
        on months.load_id = files.load_id
    where files.dated_events < {{ var('cld_period_min_file_events') }}
        or (
            100.0 * months.events_in_month / files.dated_events
            >= {{ var('cld_period_min_month_share_pct') }}
            and months.event_types_in_month
            >= files.event_types_in_busiest_month - {{ var('cld_period_event_type_shortfall') }}
        )

),

derived as (

    select
        load_id,
        any_value(dated_events) as dated_events,
        cast(min(end_month) as date) as covered_from,
        cast(max(end_month) + interval 1 month - interval 1 day as date) as covered_to
    from covered_months
    group by all

)

select
    loads.load_id,
    loads.council_code,
    loads.release,
    loads.file_name,
    loads.checksum,
    loads.loaded_at,
    -- DHSC's ImportDate: when the file arrived (a resubmission sent after a regular file is the
    -- later one even when both load the same night); the load time where arrival is unknown.
    coalesce(loads.arrived_at, loads.loaded_at) as imported_at,
    loads.reporting_period_start_date as stated_period_start_date,
    loads.reporting_period_end_date as stated_period_end_date,
    coalesce(files.dated_events, 0) as dated_events,
    {%- if var('cld_small_file_period') == 'stated' %}
    case when coalesce(files.dated_events, 0) < {{ var('cld_period_min_file_events') }}
        then loads.reporting_period_start_date else derived.covered_from
    end as derived_period_start_date,
    case when coalesce(files.dated_events, 0) < {{ var('cld_period_min_file_events') }}
        then loads.reporting_period_end_date else derived.covered_to
    end as derived_period_end_date,
    {%- else %}
        derived.covered_from as derived_period_start_date,
        derived.covered_to as derived_period_end_date,
    {%- endif %}
    excluded.checksum is not null as is_excluded,
    excluded.reason as exclusion_reason
from loads
left join files
    on loads.load_id = files.load_id
left join derived
    on loads.load_id = derived.load_id
left join excluded
    on loads.checksum = excluded.checksum
