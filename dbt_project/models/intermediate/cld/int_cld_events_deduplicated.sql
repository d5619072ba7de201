-- One record per event after submission selection (DHSC GetDerivedFields and GetUniqueEvents):
--   1. a service open at the end of a file's reference period that is absent from the next
--      reference period (starting the next day) ends at that period end: DHSC takes it to
--      have a missing or wrong end date. Services of the latest reference period stay open.
--      var('cld_close_services_missing_from_next_submission') false turns this off;
--   2. of several records of one event (unique_event_key, int_cld_events_selected) the kept
--      one is from the latest reference period, then open rather than ended, then the latest
--      end, then the highest outcome in seeds/cld_event_outcome_hierarchy.csv, then the latest
--      load and the highest row number in it (numbers, so row 10 beats row 9);
--   3. birth month and date of death are the person's, resolved across all their kept records
--      (macro person_details, DHSC's latest person details): every measure, SALT and KPI model
--      reads them from here. The record's own values stay in submitted_birth_month and
--      submitted_date_of_death (the latter corrected derived_event_end_date in
--      int_cld_events_selected, as DHSC's FilterToEventsInPeriod uses the row's own).
--
-- Incremental by council (macros/incremental_by_selection.sql): every step above ranks,
-- compares or resolves within one council (the event key and the person include it), so a
-- council's rows depend on its own selected records only. A night rebuilds whole the councils
-- whose selection slices changed since the table was built and leaves the others.
{{ config_incremental_by_council() }}
with

events as not materialized (

    select * from {{ ref('int_cld_events_selected') }}
    where {{ councils_to_rebuild() }}

),

outcome_hierarchy as (

    select * from {{ ref('cld_event_outcome_hierarchy') }}

),

latest_reference_periods as (

    select council_code, max(reference_period_start_date) as latest_reference_period_start_date
    from events
    group by council_code

),

events_by_reference_period as (

    select distinct council_code, reference_period_start_date, unique_event_key
    from events

),

closed as (

    -- Only the columns the ranking needs: sorting every column of the wide event rows costs
    -- far more than joining the kept rows back to them.
    select
        events.council_code,
        events.person_id,
        events.load_id,
        events.source_row_number,
        events.reference_period_start_date,
        events.reference_period_end_date,
        events.unique_event_key,
        events.birth_month,
        events.date_of_death,
        events.derived_event_end_date,
        events.event_outcome,
        events.loaded_at,
        {{ var('cld_close_services_missing_from_next_submission') }}
        and (
            events.derived_event_end_date is null
            or events.derived_event_end_date > events.reference_period_end_date
        )
        and events.reference_period_start_date < latest.latest_reference_period_start_date
        and not exists (
            select 1 from events_by_reference_period as next_period
            where next_period.council_code = events.council_code
                and next_period.reference_period_start_date
                = events.reference_period_end_date + interval 1 day
                and next_period.unique_event_key = events.unique_event_key
        ) as is_closed_by_next_submission
    from events
    inner join latest_reference_periods as latest
        on events.council_code = latest.council_code

),

ranked as (

    select
        closed.council_code,
        closed.person_id,
        closed.load_id,
        closed.source_row_number,
        closed.reference_period_start_date,
        closed.reference_period_end_date,
        closed.birth_month,
        closed.date_of_death,
        closed.is_closed_by_next_submission,
        row_number() over (
            partition by closed.unique_event_key
            order by
                closed.reference_period_end_date desc,
                case when closed.is_closed_by_next_submission
                        then closed.reference_period_end_date
                    else closed.derived_event_end_date
                end desc nulls first,
                outcome_hierarchy.hierarchy_rank asc nulls last,
                closed.loaded_at desc,
                closed.load_id desc,
                cast(closed.source_row_number as bigint) desc
        ) as duplicate_rank
    from closed
    left join outcome_hierarchy
        on closed.event_outcome = outcome_hierarchy.event_outcome

),

kept_records as (

    select * from ranked
    where duplicate_rank = 1

),

people as (

    -- From the narrow kept records: the wide rows are joined once, below.
    {{ person_details('kept_records') }}

)

select
    events.* exclude (birth_month, date_of_death) replace (  -- noqa: RF02
        case when kept_records.is_closed_by_next_submission
                then events.reference_period_end_date
            else events.derived_event_end_date
        end as derived_event_end_date
    ),
    kept_records.is_closed_by_next_submission,
    events.birth_month as submitted_birth_month,
    events.date_of_death as submitted_date_of_death,
    people.birth_month,
    people.date_of_death
from events
-- A record is one row of one loaded file in one reference period.
inner join kept_records
    on events.load_id = kept_records.load_id
        and events.source_row_number = kept_records.source_row_number
        and events.reference_period_start_date = kept_records.reference_period_start_date
inner join people
    on events.council_code = people.council_code
        and events.person_id = people.person_id
