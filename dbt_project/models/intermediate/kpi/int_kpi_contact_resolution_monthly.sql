-- How contacts were resolved (S001 AH D01-D03, reference 2.2). A contact is a CLD Request from
-- a client type in seeds/kpi_code_lists.csv contact_client_type; it is resolved on its end date
-- (the outcome date), in the month that date falls in (in_month: the plan's "monthly snapshot"
-- of a flow is read as the month's contacts [INT]).
--   resolved at the front door: outcome in contact_resolved (information, advice and advocacy,
--   or direct provision); onward referral: outcome in contact_onward_referral. Other outcomes
--   (declined, deceased, no services, other, blank) are in neither and are left out, so
--   AH D01 + AH D02 = 100 whenever there is a contact.
--   AH D01 = resolved / (resolved + onward) x 100; AH D02 = onward / (resolved + onward) x 100.
--   AH D03 = of the resolved contacts, the share whose person makes a new request starting from
--   the day after the resolution up to var('kpi_recontact_window_days') (28) days after it. A
--   month is reported only once its last contact's window has passed inside the coverage
--   (month end + 28 days on or before the coverage end): until then the value is not final.
with

months as (

    select * from {{ ref('int_kpi_months_enumerated') }}

),

requests as (

    select
        event_row_id,
        council_code,
        person_id,
        event_start_date,
        derived_event_end_date as resolved_date,
        event_outcome in {{ kpi_code_list('contact_resolved') }} as is_resolved,
        event_outcome in {{ kpi_code_list('contact_onward_referral') }} as is_onward_referral
    from {{ ref('int_cld_events_deduplicated') }}
    where event_type = '{{ var("request_event_type") }}'
        and client_type in {{ kpi_code_list('contact_client_type') }}

),

returned as (

    select distinct resolved.event_row_id
    from requests as resolved
    inner join requests as later
        on resolved.council_code = later.council_code
            and resolved.person_id = later.person_id
            and resolved.event_row_id <> later.event_row_id
            and resolved.resolved_date < later.event_start_date
            and later.event_start_date
            <= resolved.resolved_date + {{ var('kpi_recontact_window_days') }}
    where resolved.is_resolved

),

counted as (

    select
        months.council_code,
        months.month,
        months.month_end + {{ var('kpi_recontact_window_days') }} <= months.coverage_end
            as is_recontact_window_covered,
        count(requests.event_row_id) filter (where requests.is_resolved) as resolved,
        count(requests.event_row_id) filter (where requests.is_onward_referral) as onward,
        count(returned.event_row_id) as resolved_and_returned
    from months
    left join requests
        on months.council_code = requests.council_code
            and requests.resolved_date between months.month and months.month_end
    left join returned
        on requests.event_row_id = returned.event_row_id
    group by all

)

select
    cast(council_code as varchar) as council_code,
    cast('AH D01' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('in_month' as varchar) as measure_basis,
    cast(resolved as double) as numerator,
    cast(resolved + onward as double) as denominator,
    {{ kpi_ratio('resolved', 'resolved + onward', 100) }} as value
from counted

union all

select
    council_code, 'AH D02', month, 'in_month',
    cast(onward as double), cast(resolved + onward as double),
    {{ kpi_ratio('onward', 'resolved + onward', 100) }}
from counted

union all

select
    council_code, 'AH D03', month, 'in_month',
    cast(resolved_and_returned as double), cast(resolved as double),
    {{ kpi_ratio('resolved_and_returned', 'resolved', 100) }}
from counted
where is_recontact_window_covered
