-- ASCOF 2D step 1: each service user's reablement episodes merged into clusters (DHSC
-- Create_ASCOF_2D, "Cluster reablement events together"). Reablement here is narrower than 2A's:
-- an ST-Max service (var ascof_2a_reablement_service_type) whose component is
-- var('ascof_2d_reablement_component') ("Reablement"). Clustering is the reablement_clusters
-- macro 2A uses, with its own gap var('ascof_2d_cluster_gap_days'). Only the cluster start
-- matters to 2D (discharges link to it), so open clusters are kept.
with

reablement_episodes as (

    select * from {{ ref('int_ascof_2a_events_prepared') }}
    where is_reablement
        and service_component = '{{ var("ascof_2d_reablement_component") }}'

),

clusters as (

    {{ reablement_clusters('reablement_episodes', var('ascof_2d_cluster_gap_days')) }}

)

select
    council_code,
    person_id,
    cluster_number,
    cluster_start_date,
    cluster_end_date,
    episode_count
from clusters
