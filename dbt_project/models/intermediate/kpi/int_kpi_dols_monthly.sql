-- Kent AH S25: Deprivation of Liberty Safeguards applications received, financial year to date
-- (received date from 1 April to the month end), standard and urgent together, adults only
-- (int_dols_applications_timed). Completions and timeliness are not a Kent KPI: they are in
-- marts.fct_dols_applications_monthly.
with

months as (

    select * from {{ ref('int_kpi_feed_months_enumerated') }}
    where feed = '{{ var("dols_feed") }}'

),

applications as (

    select * from {{ ref('int_dols_applications_timed') }}

),

received as (

    select months.council_code, months.month, count(applications.application_id) as year_to_date
    from months
    left join applications
        on months.council_code = applications.council_code
            and applications.received_date between months.financial_year_start and months.month_end
    group by months.council_code, months.month

)

select
    cast(council_code as varchar) as council_code,
    cast('AH S25' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('financial_year_to_date' as varchar) as measure_basis,
    cast(year_to_date as double) as numerator,
    cast(null as double) as denominator,
    cast(year_to_date as double) as value
from received
