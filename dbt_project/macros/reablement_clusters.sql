{#-
    Reablement (ST-Max) episodes merged into clusters, one row per cluster, as DHSC clusters them
    for 2A and 2D (Create_ASCOF_2A_2425_Onwards and Create_ASCOF_2D, "Cluster ST-Max events
    together"). `episodes` names a relation or CTE with council_code, person_id, event_row_id,
    event_start_date, event_end_date (null = open), event_outcome, outcome_is_usable and
    outcome_rank; each measure passes its own selection of episodes and its own gap var.
      * episodes are merged by cluster_episodes (shared with the SALT tables): in order of
        start date, an episode joins the current cluster when it starts no more than
        `gap_days` days after the latest end so far (an overlap is a negative gap), or while an
        earlier episode is still open; otherwise it starts a new one;
      * a cluster ends at its latest episode end; with an open episode it has no end yet (DHSC
        sets open ends to 9999-01-01);
      * the cluster outcome is the outcome of the episode ending last (an open one counts as
        last); ties go to a usable outcome over one that cannot classify a sequel, then to the
        highest in the event-outcome hierarchy.
-#}
{% macro reablement_clusters(episodes, gap_days) %}
    with

    numbered as (

        {{ cluster_episodes(episodes, ['council_code', 'person_id'], gap_days) }}

    ),

    ranked as (

        select
            *,
            row_number() over (
                partition by council_code, person_id, cluster_number
                order by
                    event_end_date desc nulls first,
                    outcome_is_usable desc,
                    outcome_rank asc nulls last,
                    event_row_id desc
            ) as outcome_order
        from numbered

    )

    select
        council_code,
        person_id,
        cast(cluster_number as integer) as cluster_number,
        min(event_start_date) as cluster_start_date,
        case when bool_and(event_end_date is not null) then max(event_end_date) end
            as cluster_end_date,
        count(*) as episode_count,
        any_value(event_outcome) filter (where outcome_order = 1) as cluster_outcome,
        any_value(outcome_is_usable) filter (where outcome_order = 1) as cluster_outcome_is_usable,
        any_value(outcome_rank) filter (where outcome_order = 1) as cluster_outcome_rank
    from ranked
    group by council_code, person_id, cluster_number
{% endmacro %}
