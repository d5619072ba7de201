-- Business-plan KPIs, reconciliation: the month-end population of the snapshot KPIs
-- (int_kpi_long_term_support_month_end) on 31 March is SALT LTS001b's population (people in
-- long-term support at the financial-year end, all settings, adults and unknown ages), built
-- independently from the same events. Returns the council-years where the counts differ.
with

salt as (

    select council_code, period_end, sum(people) as salt_people
    from {{ ref('fct_salt_lts001b') }}
    group by all

),

kpi as (

    select council_code, month_end, count(*) as kpi_people
    from {{ ref('int_kpi_long_term_support_month_end') }}
    where month_end in (select period_end from salt)
    group by all

)

select
    coalesce(salt.council_code, kpi.council_code) as council_code,
    coalesce(salt.period_end, kpi.month_end) as period_end,
    coalesce(salt.salt_people, 0) as salt_people,
    coalesce(kpi.kpi_people, 0) as kpi_people
from salt
full outer join kpi
    on salt.council_code = kpi.council_code
        and salt.period_end = kpi.month_end
where coalesce(salt.salt_people, 0) <> coalesce(kpi.kpi_people, 0)
