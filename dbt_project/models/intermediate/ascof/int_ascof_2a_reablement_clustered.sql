-- ASCOF 2A step 1: each service user's reablement (ST-Max) episodes merged into clusters (DHSC
-- Create_ASCOF_2A_2425_Onwards, "Cluster ST-Max events together"):
--   * in order of start date, an episode joins the current cluster when it starts no more than
--     var('ascof_2a_cluster_gap_days') days after the latest end so far (an overlap is a
--     negative gap), or while an earlier episode is still open; otherwise it starts a new one
--     (macro cluster_episodes, shared with the SALT tables);
--   * a cluster ends at its latest episode end; with an open episode it has no end yet, so it
--     is not counted in any period (DHSC sets open ends to 9999-01-01);
--   * the cluster outcome is the outcome of the episode ending last (an open one counts as last);
--     ties go to a usable outcome over one that cannot classify a sequel, then to the highest
--     in the event-outcome hierarchy.
-- One row per cluster, whatever the reporting period: periods select clusters by their end.
with

reablement_episodes as (

    select * from {{ ref('int_ascof_2a_events_prepared') }}
    where is_reablement

),

numbered as (

    {{ cluster_episodes('reablement_episodes', ['council_code', 'person_id'], var('ascof_2a_cluster_gap_days')) }}

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
