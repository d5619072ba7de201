-- The STS002a cohort is a subset of STS001's ST-Max sequels: every STS002a episode comes from
-- an STS001 request of the same council, year and person whose sequel was given by an ST-Max
-- service, and for each council and year the episodes cannot outnumber those requests (each
-- request leads to one episode; an episode may serve several requests). Returns the episodes
-- without such a request, and the council-years where the counts break the rule.
with

requests as (

    select requests.*
    from {{ ref('int_salt_sts001_requests_classified') }} as requests
    inner join {{ ref('int_salt_events_prepared') }} as sequel_service
        on requests.sequel_service_event_row_id = sequel_service.event_row_id
    where sequel_service.is_reablement

),

episodes as (

    select * from {{ ref('int_salt_sts002a_sequels_assigned') }}

),

unlinked_episodes as (

    select
        episodes.council_code,
        episodes.period_end,
        'episode ' || episodes.person_id || ' #' || episodes.cluster_number
        || ' has no STS001 ST-Max request' as problem
    from episodes
    left join requests
        on episodes.council_code = requests.council_code
            and episodes.period_end = requests.period_end
            and episodes.person_id = requests.person_id
            and episodes.request_cluster_number = requests.cluster_number
    where requests.person_id is null

),

counts as (

    select
        coalesce(sts001.council_code, sts002a.council_code) as council_code,
        coalesce(sts001.period_end, sts002a.period_end) as period_end,
        coalesce(sts001.st_max_requests, 0) as st_max_requests,
        coalesce(sts002a.episodes, 0) as episodes
    from (
        select council_code, period_end, count(*) as st_max_requests
        from requests
        group by all
    ) as sts001
    full outer join (  -- noqa: ST05
        select council_code, period_end, sum(episodes) as episodes
        from {{ ref('fct_salt_sts002a') }}
        group by all
    ) as sts002a
        on sts001.council_code = sts002a.council_code
            and sts001.period_end = sts002a.period_end

)

select * from unlinked_episodes

union all

select
    council_code,
    period_end,
    episodes || ' STS002a episodes but ' || st_max_requests || ' STS001 ST-Max requests'
from counts
where episodes > st_max_requests
