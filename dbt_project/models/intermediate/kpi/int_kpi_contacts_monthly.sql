-- Contacts (S001 AH01, Medway MED-M19): a contact is a CLD Request from a client type in
-- seeds/kpi_code_lists.csv contact_client_type, dated by its start [INT: CLD has no separate
-- contact record; requests are what it holds of the front door].
--   AH01: requests from 1 April to the month end (financial_year_to_date, so March holds the
--   year); reported only for financial years that start inside the submissions' coverage.
--   MED-M19: requests in the month (in_month).
-- The national selection keeps a request only once it has ended (int_cld_events_selected), so
-- requests still open at the extract date are not yet counted: the latest month can rise when
-- the next extract arrives.
with

months as (

    select * from {{ ref('int_kpi_months_enumerated') }}

),

requests as (

    select council_code, event_start_date as contact_date
    from {{ ref('int_cld_events_deduplicated') }}
    where event_type = '{{ var("request_event_type") }}'
        and client_type in {{ kpi_code_list('contact_client_type') }}

),

counted as (

    select
        months.council_code,
        months.month,
        months.financial_year_start >= months.coverage_start as is_year_covered,
        count(requests.contact_date) filter (
            where requests.contact_date between months.financial_year_start and months.month_end
        ) as year_to_date,
        count(requests.contact_date) filter (
            where requests.contact_date between months.month and months.month_end
        ) as in_month
    from months
    left join requests
        on months.council_code = requests.council_code
            and requests.contact_date between months.financial_year_start and months.month_end
    group by all

)

select
    cast(council_code as varchar) as council_code,
    cast('AH01' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('financial_year_to_date' as varchar) as measure_basis,
    cast(year_to_date as double) as numerator,
    cast(null as double) as denominator,
    cast(year_to_date as double) as value
from counted
where is_year_covered

union all

select
    council_code, 'MED-M19', month, 'in_month',
    cast(in_month as double), cast(null as double), cast(in_month as double)
from counted
