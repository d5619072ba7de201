{#-
    Episodes merged into clusters ("islands and gaps"), the step ASCOF 2A (reablement, DHSC) and
    the SALT tables (requests, ST-Max, long-term support, sequel chains; NHS England) share with
    different gaps. Within each partition, in order of start date (then tiebreak), an episode
    joins the current cluster when it starts no more than gap_days after the latest end so far
    (an overlap is a negative gap), or while an earlier episode is still open (a null end);
    otherwise it starts a new one. Returns every column of the relation plus cluster_column
    (default cluster_number: 1, 2, ... per partition, in start order).

    relation: a model or CTE name; partition_by: list of columns; gap_days: whole days.
-#}
{% macro cluster_episodes(relation, partition_by, gap_days, start_column='event_start_date', end_column='event_end_date', tiebreak='event_row_id', cluster_column='cluster_number') -%}
    {%- set partition = partition_by | join(', ') %}
    select
        * exclude (_follows_open_episode, _days_since_latest_end),
        cast(sum(
            case
                when coalesce(_follows_open_episode, false)
                    or _days_since_latest_end <= {{ gap_days }}
                    then 0
                else 1
            end
        ) over (
            partition by {{ partition }}
            order by {{ start_column }}, {{ tiebreak }}
            rows between unbounded preceding and current row
        ) as integer) as {{ cluster_column }}
    from (
        select
            *,
            bool_or({{ end_column }} is null) over _earlier_episodes as _follows_open_episode,
            datediff('day', max({{ end_column }}) over _earlier_episodes, {{ start_column }})
                as _days_since_latest_end
        from {{ relation }}
        window _earlier_episodes as (
            partition by {{ partition }}
            order by {{ start_column }}, {{ tiebreak }}
            rows between unbounded preceding and 1 preceding
        )
    )
{%- endmacro %}
