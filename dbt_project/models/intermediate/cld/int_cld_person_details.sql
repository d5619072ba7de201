-- Each council's people with the birth month and date of death resolved across all their
-- records (int_cld_events_deduplicated, macro person_details): DHSC's latest person details.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
select distinct
    council_code,
    person_id,
    birth_month,
    date_of_death
from {{ ref('int_cld_events_deduplicated') }}
where {{ councils }}
