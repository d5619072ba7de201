-- ASCOF 2A step 2: every ended reablement cluster, with the checks that decide whether it is in
-- the measure's cohort (DHSC Create_ASCOF_2A_2425_Onwards, "Identify new clients"):
--   * age at the cluster END (DHSC: FLOOR(DATEDIFF(day, birth date, cluster end) / 365.25); the
--     reference note does not say which date, the DHSC code does); under-18s are out, people
--     of unknown age stay in (they count in the total only);
--   * people who died before the cluster started are out (death on the start day stays in);
--   * new client: no long-term support (nursing, residential, community or prison) that
--     started before the cluster and is still open or ended fewer than
--     var('ascof_2a_new_client_lookback_days') days before the cluster started.
-- Birth month and date of death are the person's (int_cld_person_details, DHSC's latest person
-- details: the latest submission's, then the earliest birth month and the latest death).
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

clusters as not materialized (

    select * from {{ ref('int_ascof_2a_reablement_clustered') }}
    where cluster_end_date is not null
        and {{ councils }}

),

events as (

    select * from {{ ref('int_ascof_2a_events_prepared') }}
    where {{ councils }}

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

),

person_details as (

    select * from {{ ref('int_cld_person_details') }}
    where {{ councils }}

),

long_term_support_before as (

    select distinct
        clusters.council_code,
        clusters.person_id,
        clusters.cluster_number
    from clusters
    inner join events
        on clusters.council_code = events.council_code
            and clusters.person_id = events.person_id
    where events.is_long_term_support
        and events.event_start_date < clusters.cluster_start_date
        and (
            events.event_end_date is null
            or datediff('day', events.event_end_date, clusters.cluster_start_date)
            < {{ var('ascof_2a_new_client_lookback_days') }}
        )

),

aged as (

    select
        clusters.*,
        person_details.birth_month,
        person_details.date_of_death,
        cast(
            {{ age_in_years('person_details.birth_month', 'clusters.cluster_end_date') }} as integer
        ) as age_at_cluster_end,
        long_term_support_before.cluster_number is null as is_new_client
    from clusters
    left join person_details
        on clusters.council_code = person_details.council_code
            and clusters.person_id = person_details.person_id
    left join long_term_support_before
        on clusters.council_code = long_term_support_before.council_code
            and clusters.person_id = long_term_support_before.person_id
            and clusters.cluster_number = long_term_support_before.cluster_number

),

checked as (

    select
        aged.*,
        case
            when aged.age_at_cluster_end is null then 'Unknown'
            else coalesce(age_bands.age_band, 'Under 18')
        end as age_band,
        coalesce(aged.age_at_cluster_end < (select min(min_age) from age_bands), false)
            as is_under_18,
        coalesce(aged.date_of_death < aged.cluster_start_date, false)
            as died_before_cluster_start
    from aged
    left join age_bands
        on aged.age_at_cluster_end >= age_bands.min_age
            and (age_bands.max_age is null or aged.age_at_cluster_end <= age_bands.max_age)

)

select
    council_code,
    person_id,
    cluster_number,
    cluster_start_date,
    cluster_end_date,
    episode_count,
    cluster_outcome,
    cluster_outcome_is_usable,
    cluster_outcome_rank,
    birth_month,
    date_of_death,
    age_at_cluster_end,
    age_band,
    is_under_18,
    died_before_cluster_start,
    is_new_client,
    not is_under_18 and not died_before_cluster_start and is_new_client as is_in_cohort
from checked
