-- AH H17 in the last month of a financial year (the year to date at the year end) must equal the
-- sum of the year's in-month delayed days (AH H18's denominators), for every financial year
-- whose twelve months are all in the council's hospital calendar. Returns the years that differ.
with

calendar as (

    select * from {{ ref('int_kpi_feed_months_enumerated') }}
    where feed = '{{ var("hospital_feed") }}'

),

kpis as (

    select * from {{ ref('int_kpi_hospital_delays_monthly') }}

),

years as (

    select
        calendar.council_code,
        calendar.financial_year_start,
        count(*) as months,
        sum(h18.denominator) as delayed_days_in_months,
        max(h17.numerator) filter (where calendar.month_of_financial_year = 12) as year_end_h17
    from calendar
    inner join kpis as h17
        on calendar.council_code = h17.council_code
            and calendar.month = h17.month
            and h17.kpi_ref = 'AH H17'
    inner join kpis as h18
        on calendar.council_code = h18.council_code
            and calendar.month = h18.month
            and h18.kpi_ref = 'AH H18'
    group by calendar.council_code, calendar.financial_year_start

)

select *
from years
where months = 12
    and year_end_h17 <> delayed_days_in_months
