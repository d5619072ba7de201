-- Events of each council's selected submission, with the end date corrected to the date of
-- death where the person died first (DHSC cleaning rule, methodology 5-data-cleaning).
with

submissions as (

    select * from {{ ref('int_cld_submissions_selected') }}

),

events as (

    select * from {{ ref('stg_cld__events') }}

)

select
    events.*,
    case
        when events.date_of_death is not null
            and (events.event_end_date is null or events.date_of_death < events.event_end_date)
            then events.date_of_death
        else events.event_end_date
    end as derived_event_end_date
from events
inner join submissions
    on events.load_id = submissions.load_id
