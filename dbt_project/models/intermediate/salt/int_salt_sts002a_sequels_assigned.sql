-- SALT STS002a from CLD: what followed reablement for new clients (NHS England SALT method,
-- reference §2.5). One row per council, financial year and ST-Max cluster:
--   * cohort: the ST-Max services that were the sequel to an STS001 request cluster (new
--     client) ending in the year; the ST-Max cluster (gap var('salt_st_max_cluster_gap_days'),
--     int_salt_episodes_clustered) holding that service, if it ended in the same year (as
--     NHSE's SQL, which reads the STS001 cohort of the same period: an episode ending in a
--     later year than its request is in neither year [U]);
--   * the sequel chain (macro salt_sequel_chain): the first event within
--     var('salt_sts002a_sequel_window_days') days of the cluster end, then gaps of at most
--     var('salt_sts002a_chain_gap_days') days; another ST-Max stops the chain;
--   * rules (macro salt_sequel_rules, seeds/salt_sts002a_sequels.csv): a service -> its type
--     (long-term settings, then ongoing low level, then other short term); otherwise an NFA
--     outcome of a request, assessment or review in the chain (conflicting ones -> the sequel
--     of "NFA: Other"); otherwise the ST-Max cluster's own outcome; otherwise "Unable to
--     classify". SALT's "Early cessation of service" categories are not derivable (reference
--     §2.5): NHSE's SQL files deaths and NHS-funded care there, the seed keeps STS001's labels.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

requests as (

    select * from {{ ref('int_salt_sts001_requests_classified') }}
    where {{ councils }}

),

events as not materialized (

    select * from {{ ref('int_salt_events_prepared') }}
    where {{ councils }}

),

st_max_clusters as (

    select * from {{ ref('int_salt_episodes_clustered') }}
    where episode_kind = 'ST-Max'
        and {{ councils }}
        and cluster_end_date is not null

),

sequel_map as (

    select * from {{ ref('salt_sts002a_sequels') }}

),

cohort as (

    select
        requests.council_code,
        requests.period_type,
        requests.period_start,
        requests.period_end,
        requests.person_id,
        st_max_clusters.cluster_number,
        st_max_clusters.cluster_start_date,
        st_max_clusters.cluster_end_date,
        st_max_clusters.cluster_end_date as anchor_end_date,
        st_max_clusters.cluster_outcome,
        min(requests.cluster_number) as request_cluster_number
    from requests
    inner join events as st_max_service
        on requests.sequel_service_event_row_id = st_max_service.event_row_id
            and st_max_service.is_reablement
    inner join st_max_clusters
        on requests.council_code = st_max_clusters.council_code
            and requests.person_id = st_max_clusters.person_id
            and st_max_service.event_start_date
            between st_max_clusters.cluster_start_date and st_max_clusters.cluster_end_date
    where st_max_clusters.cluster_end_date between requests.period_start and requests.period_end
    group by all

),

chain as (

    {{ salt_sequel_chain(
        'cohort', 'events', ['council_code', 'person_id', 'cluster_number'],
        var('salt_sts002a_sequel_window_days'), var('salt_sts002a_chain_gap_days'),
        'events.is_reablement'
    ) }}

),

sequels as (

    {{ salt_sequel_rules(
        'cohort', 'chain', 'sequel_map', ['council_code', 'person_id', 'cluster_number'],
        'cluster_outcome'
    ) }}

)

select
    cohort.council_code,
    cohort.period_type,
    cohort.period_start,
    cohort.period_end,
    cohort.person_id,
    cohort.cluster_number,
    cohort.cluster_start_date,
    cohort.cluster_end_date,
    cohort.cluster_outcome,
    cohort.request_cluster_number,
    sequels.sequel_rule,
    sequels.sequel
from cohort
inner join sequels
    on cohort.council_code = sequels.council_code
        and cohort.person_id = sequels.person_id
        and cohort.cluster_number = sequels.cluster_number
