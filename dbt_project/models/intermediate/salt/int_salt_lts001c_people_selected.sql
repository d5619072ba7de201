-- SALT LTS001c people: of the LTS001b people (in long-term support at the financial year end,
-- int_salt_lts001_people_deduplicated), those in long-term support for more than
-- var('salt_lts001c_min_months') months at the year end (reference §2.5): the continuous
-- chain of their long-term Nursing, Residential, Community and Prison services that spans the
-- year end started on or before the year end minus that many months (31 Mar 2025 for the year
-- ending 31 Mar 2026).
--   * chain: all the person's long-term services (any setting, int_salt_events_prepared, not
--     int_salt_lts_services_prepared, which holds only services overlapping the year) merged
--     with gaps of at most var('salt_lts001c_chain_gap_days') days (macro cluster_episodes).
--     The reference says "continuous clustered services" without a gap; 1 day is NHSE's
--     LTS001c SQL [U];
--   * boundary [U]: the reference gives "on or before 31 Mar 2023" for the year ending 31 Mar
--     2024, with a proxy "on or before 1 Apr 2023"; NHSE's SQL uses "before the year end minus
--     12 months". This follows the reference's main rule;
--   * a chain can only be seen as far back as the loaded submissions reach: a service that
--     ended before the earliest loaded period is not in the data, so a chain may look younger
--     than it is.
-- Setting, delivery mechanism, primary support reason and age band are LTS001b's.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

people as (

    select * from {{ ref('int_salt_lts001_people_deduplicated') }}
    where is_in_lts_at_period_end
        and {{ councils }}

),

long_term_services as (

    select * from {{ ref('int_salt_events_prepared') }}
    where is_long_term_support
        and {{ councils }}

),

numbered as (

    {{ cluster_episodes('long_term_services', ['council_code', 'person_id'], var('salt_lts001c_chain_gap_days')) }}

),

chains as (

    select
        council_code,
        person_id,
        cluster_number,
        min(event_start_date) as chain_start_date,
        case when bool_and(event_end_date is not null) then max(event_end_date) end
            as chain_end_date
    from numbered
    group by council_code, person_id, cluster_number

)

select
    people.*,
    chains.chain_start_date
from people
inner join chains
    on people.council_code = chains.council_code
        and people.person_id = chains.person_id
        and people.period_end >= chains.chain_start_date
        and (chains.chain_end_date is null or people.period_end <= chains.chain_end_date)
where chains.chain_start_date
    <= people.period_end - to_months({{ var('salt_lts001c_min_months') }})
