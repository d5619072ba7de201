-- Service users' events behind the SALT short-term tables (STS001, STS002a/b), LTS001c and
-- LTS002: the ASCOF 2A event preparation (int_ascof_2a_events_prepared: cleaned outcome and its
-- hierarchy rank, reablement and long-term-support flags, events whose end is before their
-- start dropped) with the fields only SALT reads: route of access, review reason and method,
-- birth month and date of death. One row per deduplicated event.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

prepared as (

    select * from {{ ref('int_ascof_2a_events_prepared') }}
    where {{ councils }}

),

events as (

    select * from {{ ref('int_cld_events_deduplicated') }}
    where {{ councils }}

)

select
    prepared.council_code,
    prepared.person_id,
    prepared.event_row_id,
    prepared.event_type,
    prepared.event_start_date,
    prepared.event_end_date,
    prepared.service_type,
    prepared.service_component,
    prepared.event_outcome,
    prepared.outcome_rank,
    prepared.is_reablement,
    prepared.is_long_term_support,
    events.request_route_of_access,
    events.review_reason,
    events.method_of_review,
    events.birth_month,
    events.date_of_death
from prepared
inner join events
    on prepared.event_row_id = events.event_row_id
