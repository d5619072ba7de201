-- Each council's people with the birth month and date of death resolved across all their
-- records (int_cld_events_deduplicated, macro person_details): DHSC's latest person details.
select distinct
    council_code,
    person_id,
    birth_month,
    date_of_death
from {{ ref('int_cld_events_deduplicated') }}
