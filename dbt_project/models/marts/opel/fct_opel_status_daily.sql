-- Area and council OPEL status per day, from the rated indicators of fct_opel_indicator_daily.
-- The plan leaves the overall status to the Short-Term Pathway Service Manager's judgement
-- "according to available trend data"; this is the project's documented rule (to confirm):
--   area:    the highest level among the area's rated indicators that day ("worst indicator");
--   council: OPEL 4 if any area is at OPEL 4; OPEL 3 if every reporting area is at OPEL 3 or
--            above ("County-wide" in the plan's level descriptors); OPEL 2 if some area is at
--            OPEL 2 or above ("In some areas"); otherwise OPEL 1.
-- triggering_indicators names the indicators at or above the resulting level; is_escalation
-- marks a rise to var('opel_escalation_alert_from_level') or above, which raises an alert.
with

indicators as not materialized (

    select * from {{ ref('fct_opel_indicator_daily') }}
    where opel_level is not null

),

areas as (

    select
        report_date,
        council_code,
        area,
        max(opel_level) as opel_level
    from indicators
    group by all

),

area_status as (

    select
        areas.report_date,
        areas.council_code,
        'Area' as scope,
        areas.area,
        areas.opel_level,
        'highest level among the area''s rated indicators' as rule,
        string_agg(
            indicators.team_or_location || ': ' || indicators.indicator_code || ' = '
            || indicators.indicator_value || ' (' || indicators.status || ')',
            '; ' order by indicators.team_or_location, indicators.indicator_code
        ) as triggering_indicators
    from areas
    inner join indicators
        on areas.report_date = indicators.report_date
            and areas.council_code = indicators.council_code
            and areas.area = indicators.area
            and areas.opel_level <= indicators.opel_level
    group by all

),

council_levels as (

    select
        report_date,
        council_code,
        case
            when max(opel_level) = 4 then 4
            when min(opel_level) >= 3 then 3
            when max(opel_level) >= 2 then 2
            else 1
        end as opel_level,
        case
            when max(opel_level) = 4 then 'an area is at OPEL 4'
            when min(opel_level) >= 3 then 'every area is at OPEL 3 or above (county-wide)'
            when max(opel_level) >= 2 then 'some areas are at OPEL 2 or above'
            else 'every area is at OPEL 1'
        end as rule
    from areas
    group by all

),

council_status as (

    select
        council_levels.report_date,
        council_levels.council_code,
        'Council' as scope,
        cast(null as varchar) as area,
        council_levels.opel_level,
        council_levels.rule,
        string_agg(
            indicators.area || ', ' || indicators.team_or_location || ': '
            || indicators.indicator_code || ' = ' || indicators.indicator_value
            || ' (' || indicators.status || ')',
            '; ' order by indicators.area, indicators.team_or_location, indicators.indicator_code
        ) as triggering_indicators
    from council_levels
    inner join indicators
        on council_levels.report_date = indicators.report_date
            and council_levels.council_code = indicators.council_code
            and council_levels.opel_level <= indicators.opel_level
    group by all

),

combined as (

    select * from area_status
    union all
    select * from council_status

)

select
    cast(report_date as date) as report_date,
    cast(council_code as varchar) as council_code,
    cast(scope as varchar) as scope,
    cast(area as varchar) as area,
    cast(opel_level as integer) as opel_level,
    cast(
        case opel_level when 1 then 'Green' when 2 then 'Amber' when 3 then 'Red' else 'Black' end
        as varchar
    ) as status,
    cast(rule as varchar) as rule,
    cast(triggering_indicators as varchar) as triggering_indicators,
    cast(previous_opel_level as integer) as previous_opel_level,
    cast(
        opel_level >= {{ var('opel_escalation_alert_from_level') }}
        and (previous_opel_level is null or previous_opel_level < opel_level)
        as boolean
    ) as is_escalation
from (
    select
        *,
        lag(opel_level) over (
            partition by council_code, scope, area order by report_date
        ) as previous_opel_level
    from combined
) as with_previous
