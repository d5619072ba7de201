-- SALT STS001 step 2: the sequel of each ended request cluster from a new client (NHS England
-- SALT method, reference §2.5 and the mapping list under it):
--   * the sequel chain (macro salt_sequel_chain): the first event must start within
--     var('salt_sts001_sequel_window_days') days of the cluster end, later ones no more than
--     var('salt_sts001_chain_gap_days') days after the chain's latest end; another request
--     stops the chain (it is a new request with its own sequel);
--   * rules (macro salt_sequel_rules, seeds/salt_sts001_sequels.csv): any service in the chain
--     -> its type, ST-Max first, then the long-term settings in the LTS001 hierarchy, then
--     ongoing low level and other short term; otherwise an NFA outcome of an assessment or
--     review in the chain (conflicting ones -> the sequel of "NFA: Other"); otherwise the
--     request's own outcome; otherwise "Unable to classify". "End of life" (R1 "Progress to
--     End of Life Care") has no Release 2 value, so it is never derived.
-- The reference's "another request in the chain -> use the original outcome" is read as NHSE's
-- SQL does it: the chain stops at the next request, so with nothing before it the request's
-- own outcome is used; a service or NFA outcome before it still counts.
-- One row per new-client request cluster with an end; sequel_service_event_row_id is the
-- service that gave the sequel (the ST-Max that starts an STS002a episode).
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

clusters as not materialized (

    select
        *,
        cluster_end_date as anchor_end_date
    from {{ ref('int_salt_episodes_clustered') }}
    where episode_kind = 'Request'
        and {{ councils }}
        and not is_inside_long_term_support
        and cluster_end_date is not null

),

events as (

    select * from {{ ref('int_salt_events_prepared') }}
    where {{ councils }}

),

sequel_map as (

    select * from {{ ref('salt_sts001_sequels') }}

),

chain as (

    {{ salt_sequel_chain(
        'clusters', 'events', ['council_code', 'person_id', 'cluster_number'],
        var('salt_sts001_sequel_window_days'), var('salt_sts001_chain_gap_days'),
        "events.event_type = '" ~ var('request_event_type') ~ "'"
    ) }}

),

sequels as (

    {{ salt_sequel_rules(
        'clusters', 'chain', 'sequel_map', ['council_code', 'person_id', 'cluster_number'],
        'cluster_outcome'
    ) }}

)

select
    clusters.council_code,
    clusters.person_id,
    clusters.cluster_number,
    clusters.cluster_start_date,
    clusters.cluster_end_date,
    clusters.route_of_access,
    clusters.cluster_outcome as request_outcome,
    clusters.birth_month,
    clusters.date_of_death,
    sequels.sequel_rule,
    sequels.sequel,
    sequels.sequel_service_event_row_id
from clusters
inner join sequels
    on clusters.council_code = sequels.council_code
        and clusters.person_id = sequels.person_id
        and clusters.cluster_number = sequels.cluster_number
