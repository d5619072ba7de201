-- ASCOF 2A step 1: each service user's reablement (ST-Max, any component) episodes merged into
-- clusters (DHSC Create_ASCOF_2A_2425_Onwards, "Cluster ST-Max events together"), by the
-- reablement_clusters macro shared with 2D: episodes no more than
-- var('ascof_2a_cluster_gap_days') days apart (or overlapping, or following an open episode)
-- form one cluster; a cluster with an open episode has no end, so it is not counted in any
-- period; its outcome is that of the episode ending last (ties: usable outcome first, then the
-- highest in the event-outcome hierarchy).
-- One row per cluster, whatever the reporting period: periods select clusters by their end.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

reablement_episodes as (

    select * from {{ ref('int_ascof_2a_events_prepared') }}
    where is_reablement
        and {{ councils }}

),

clusters as (

    {{ reablement_clusters('reablement_episodes', var('ascof_2a_cluster_gap_days')) }}

)

select * from clusters
