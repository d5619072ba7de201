{#-
    A person's known values of one CLD status field (accommodation, employment) as a timeline:
    one row per council, person and start date on which a known value (not blank, not Unknown)
    was recorded, with the date the next one starts (next_start_date, null for the latest).
    Where one start date has several values, the latest loaded wins, then the first
    alphabetically, so the timeline is deterministic. Joining on
    `as_of >= event_start_date and (next_start_date is null or as_of < next_start_date)` gives
    the latest known value as of a date: what an ASOF join does, but DuckDB plans an ASOF join
    on a CTE of the Kent-scale sample in minutes rather than a second.

    events: a relation or CTE with council_code, person_id, event_start_date, loaded_at and
    status_column.
-#}
{% macro known_status_timeline(events, status_column) -%}
    select
        *,
        -- After the one-value-per-date choice below: a second value on the same date would
        -- otherwise end the chosen value's validity on the day it starts.
        lead(event_start_date) over (
            partition by council_code, person_id order by event_start_date
        ) as next_start_date
    from (
        select council_code, person_id, event_start_date, {{ status_column }}
        from {{ events }}
        where coalesce({{ status_column }}, 'Unknown') <> 'Unknown'
        qualify row_number() over (
            partition by council_code, person_id, event_start_date
            order by loaded_at desc, {{ status_column }}
        ) = 1
    )
{%- endmacro %}
