-- The KPI calendar (int_kpi_months_enumerated) restricted, per person-level feed, to the months
-- that feed's loaded files fully cover for the council. A KPI built on a feed then reports 0 for
-- a month the feed covers with no activity, and no row at all for a month it does not cover
-- (a council without a hospital feed has no delayed-days rows rather than rows of zeros).
-- Coverage is from the earliest loaded period start to the latest loaded period end, as for
-- the CLD calendar: a gap between files is not detected here.
with

calendar as (

    select * from {{ ref('int_kpi_months_enumerated') }}

),

loads as (

    {% for feed_loads in ['stg_ops__hospital_loads', 'stg_ops__safeguarding_loads',
                          'stg_ops__dols_loads'] %}
        select * from {{ ref(feed_loads) }}
        where load_status = 'loaded'
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

coverage as (

    select
        council_code,
        feed,
        min(reporting_period_start_date) as covered_from,
        max(reporting_period_end_date) as covered_to
    from loads
    group by council_code, feed

)

select
    coverage.feed,
    calendar.council_code,
    calendar.month,
    calendar.month_end,
    calendar.financial_year_start,
    calendar.month_of_financial_year
from calendar
inner join coverage
    on calendar.council_code = coverage.council_code
        and calendar.month >= coverage.covered_from
        and calendar.month_end <= coverage.covered_to
