-- Business-plan KPIs, consistency (S001: AH D01 + AH D02 = 100% in both the outturn and the
-- target): for each council and month where both exist, information/advice/direct provision
-- plus onward referral is 100%. Tolerance 1e-9 for floating point. Returns the months that
-- do not add up.
with

d01 as (

    select council_code, month, value from {{ ref('fct_kpi_monthly') }}
    where kpi_ref = 'AH D01'

),

d02 as (

    select council_code, month, value from {{ ref('fct_kpi_monthly') }}
    where kpi_ref = 'AH D02'

)

select d01.council_code, d01.month, d01.value as d01, d02.value as d02
from d01
inner join d02
    on d01.council_code = d02.council_code
        and d01.month = d02.month
where d01.value is not null
    and d02.value is not null
    and abs(d01.value + d02.value - 100) > 1e-9
