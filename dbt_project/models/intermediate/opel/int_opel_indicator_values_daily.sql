-- One value per day, council, area, team or location and indicator: the last update of the day
-- (teams may update more than once). Assessment bed availability is total minus occupied beds.
-- Also counts the day's updates before the morning deadline and in the afternoon window, which
-- the update-time checks need.
with

updates as (

    select * from {{ ref('stg_opel__updates') }}

),

indicators as (

    select * from {{ ref('opel_indicators') }}

),

ranked as (

    select
        updates.*,
        indicators.value_kind,
        row_number() over (
            partition by
                updates.council_code, updates.report_date, updates.area,
                updates.team_or_location, updates.indicator_code
            order by updates.updated_at_local desc, updates.update_id desc
        ) as recency_rank,
        count(*) over day_of_unit as update_count,
        min(updates.updated_at_local) over day_of_unit as first_updated_at_local,
        count(*) filter (
            where cast(updates.updated_at_local as time) <= time '{{ var("opel_update_deadline") }}'
        ) over day_of_unit as morning_updates,
        count(*) filter (
            where cast(updates.updated_at_local as time)
            between time '{{ var("opel_afternoon_window_start") }}'
            and time '{{ var("opel_afternoon_window_end") }}'
        ) over day_of_unit as afternoon_updates
    from updates
    inner join indicators
        on updates.indicator_code = indicators.indicator_code
    window day_of_unit as (
        partition by
            updates.council_code, updates.report_date, updates.area,
            updates.team_or_location, updates.indicator_code
    )

)

select
    council_code,
    report_date,
    area,
    team_or_location,
    indicator_code,
    value_kind,
    case
        when value_kind = 'beds' then cast(total_beds - occupied_beds as varchar)
        else submitted_value
    end as indicator_value,
    case
        when value_kind = 'beds' then cast(total_beds - occupied_beds as double)
        else numeric_value
    end as numeric_value,
    update_count,
    first_updated_at_local,
    morning_updates,
    afternoon_updates
from ranked
where recency_rank = 1
