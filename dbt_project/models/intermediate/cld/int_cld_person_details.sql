-- Each council's people with the birth month and date of death resolved across all their
-- records (int_cld_events_deduplicated, macro person_details): DHSC's latest person details.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's
-- file), so a council's rows depend only on its own rows upstream, themselves fixed by its
-- selection slices. A night rebuilds whole the councils whose slice set changed since this
-- table was built and leaves the others as a full rebuild would make them.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook=["{{ delete_councils_to_rebuild() }}"],
    post_hook=["{{ record_selection_built() }}"],
) }}
{%- set councils = councils_to_rebuild() %}
select distinct
    council_code,
    person_id,
    birth_month,
    date_of_death
from {{ ref('int_cld_events_deduplicated') }}
where {{ councils }}
