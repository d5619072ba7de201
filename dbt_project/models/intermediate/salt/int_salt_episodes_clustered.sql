-- SALT STS001, STS002a and STS002b, step 1: each service user's requests for support, and
-- separately their ST-Max (reablement) services, merged into clusters (NHS England SALT
-- method, reference §2.5). In order of start date, an episode joins the current cluster when
-- it starts no more than the gap after the latest end so far, or while an earlier one is still
-- open (macro cluster_episodes): var('salt_sts001_request_gap_days') for requests,
-- var('salt_st_max_cluster_gap_days') for ST-Max. A cluster ends at its latest episode end, or
-- is open (no end) while any episode is.
--   * outcome (and, for requests, route of access) is the latest-ending episode's (NHSE:
--     conflicting routes are ignored, the latest request's is kept); of episodes ending the
--     same day, the highest outcome in seeds/cld_event_outcome_hierarchy.csv (NHSE ranks by
--     its own R1 hierarchy [U]); a blank route of access is "Unknown";
--   * is_inside_long_term_support: an open long-term Nursing, Residential, Community or Prison
--     service at the cluster start (started on or before it, ending on or after it or open):
--     such a request is not from a new client (STS001), such an ST-Max is an existing
--     client's (STS002b);
--   * birth month and date of death from the cluster's events, which carry the person's
--     resolved values (int_cld_events_deduplicated, DHSC's latest person details).
-- One row per cluster, whatever the period: periods select clusters by their end.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

events as not materialized (

    select * from {{ ref('int_salt_events_prepared') }}
    where {{ councils }}

),

requests as (

    select *, 'Request' as episode_kind
    from events
    where event_type = '{{ var("request_event_type") }}'

),

st_max_episodes as (

    select *, 'ST-Max' as episode_kind
    from events
    where is_reablement

),

numbered as (

    select
        * from (
        {{ cluster_episodes('requests', ['council_code', 'person_id'], var('salt_sts001_request_gap_days')) }}
    )
    union all
    select * from (
        {{ cluster_episodes('st_max_episodes', ['council_code', 'person_id'], var('salt_st_max_cluster_gap_days')) }}
    )

),

ranked as (

    select
        *,
        row_number() over (
            partition by council_code, person_id, episode_kind, cluster_number
            order by
                event_end_date desc nulls first,
                outcome_rank asc nulls last,
                event_row_id desc
        ) as latest_order
    from numbered

),

clusters as (

    select
        council_code,
        person_id,
        episode_kind,
        cluster_number,
        min(event_start_date) as cluster_start_date,
        case when bool_and(event_end_date is not null) then max(event_end_date) end
            as cluster_end_date,
        count(*) as episode_count,
        case when episode_kind = 'Request' then coalesce(
                    any_value(request_route_of_access) filter (where latest_order = 1), 'Unknown'
                )
        end as route_of_access,
        any_value(event_outcome) filter (where latest_order = 1) as cluster_outcome,
        min(birth_month) as birth_month,
        max(date_of_death) as date_of_death
    from ranked
    group by council_code, person_id, episode_kind, cluster_number

),

inside_long_term_support as (

    select distinct
        clusters.council_code,
        clusters.person_id,
        clusters.episode_kind,
        clusters.cluster_number
    from clusters
    inner join events
        on clusters.council_code = events.council_code
            and clusters.person_id = events.person_id
    where events.is_long_term_support
        and events.event_start_date <= clusters.cluster_start_date
        and (
            events.event_end_date is null
            or events.event_end_date >= clusters.cluster_start_date
        )

)

select
    clusters.*,
    inside_long_term_support.cluster_number is not null as is_inside_long_term_support
from clusters
left join inside_long_term_support
    on clusters.council_code = inside_long_term_support.council_code
        and clusters.person_id = inside_long_term_support.person_id
        and clusters.episode_kind = inside_long_term_support.episode_kind
        and clusters.cluster_number = inside_long_term_support.cluster_number
