-- LTS002b counts every LTS001c person once (reviewed or not): for each council and financial
-- year its people must equal LTS001c's. Returns the council-years where they differ.
with

lts001c as (

    select council_code, period_end, sum(people) as lts001c_people
    from {{ ref('fct_salt_lts001c') }}
    group by all

),

lts002b as (

    select council_code, period_end, sum(people) as lts002b_people
    from {{ ref('fct_salt_lts002b') }}
    group by all

)

select
    coalesce(lts001c.council_code, lts002b.council_code) as council_code,
    coalesce(lts001c.period_end, lts002b.period_end) as period_end,
    coalesce(lts001c.lts001c_people, 0) as lts001c_people,
    coalesce(lts002b.lts002b_people, 0) as lts002b_people
from lts001c
full outer join lts002b
    on lts001c.council_code = lts002b.council_code
        and lts001c.period_end = lts002b.period_end
where coalesce(lts001c.lts001c_people, 0) <> coalesce(lts002b.lts002b_people, 0)
