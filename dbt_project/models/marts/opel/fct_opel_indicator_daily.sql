-- Each indicator's daily value with its status from the threshold version in force that day
-- (seeds/opel_thresholds.csv, valid_from..valid_to) for the area (a blank scope_area applies
-- everywhere; D2A thresholds apply to West Kent only). Numeric values fall in a band
-- [lower_bound, upper_bound] with the inclusivity the seed records; categories match exactly.
-- No matching threshold, as for case load, referrals and assessment beds whose triggers are
-- still under development, gives status 'No threshold' and no OPEL level: never Green.
with

daily_values as (

    select * from {{ ref('int_opel_indicator_values_daily') }}

),

thresholds as (

    select * from {{ ref('opel_thresholds') }}

),

matched as (

    select
        daily_values.*,
        thresholds.status,
        thresholds.opel_level,
        thresholds.threshold_version,
        count(thresholds.status) over (
            partition by
                daily_values.council_code, daily_values.report_date,
                daily_values.area, daily_values.team_or_location, daily_values.indicator_code
        ) as matching_bands
    from daily_values
    left join thresholds
        on daily_values.indicator_code = thresholds.indicator_code
            and daily_values.report_date >= thresholds.valid_from
            and (thresholds.valid_to is null or daily_values.report_date <= thresholds.valid_to)
            and (thresholds.scope_area is null or daily_values.area = thresholds.scope_area)
            and (
                (
                    thresholds.category_value is not null
                    and daily_values.indicator_value = thresholds.category_value
                )
                or (
                    thresholds.category_value is null
                    and (
                        thresholds.lower_bound is null
                        or daily_values.numeric_value > thresholds.lower_bound
                        or (
                            thresholds.lower_inclusive
                            and daily_values.numeric_value = thresholds.lower_bound
                        )
                    )
                    and (
                        thresholds.upper_bound is null
                        or daily_values.numeric_value < thresholds.upper_bound
                        or (
                            thresholds.upper_inclusive
                            and daily_values.numeric_value = thresholds.upper_bound
                        )
                    )
                )
            )

)

select
    cast(report_date as date) as report_date,
    cast(council_code as varchar) as council_code,
    cast(area as varchar) as area,
    cast(team_or_location as varchar) as team_or_location,
    cast(indicator_code as varchar) as indicator_code,
    cast(indicator_value as varchar) as indicator_value,
    cast(numeric_value as double) as numeric_value,
    cast(coalesce(status, 'No threshold') as varchar) as status,
    cast(opel_level as integer) as opel_level,
    cast(threshold_version as varchar) as threshold_version,
    cast(matching_bands as integer) as matching_bands,
    cast(update_count as integer) as update_count,
    cast(first_updated_at_local as timestamp) as first_updated_at_local,
    cast(morning_updates as integer) as morning_updates,
    cast(afternoon_updates as integer) as afternoon_updates
from matched
