-- LTS001c is a subset of LTS001b: for each council and financial year, the people in
-- long-term support for more than 12 months at the year end cannot outnumber the people in
-- long-term support at the year end. Returns the council-years where they do.
with

lts001b as (

    select council_code, period_end, sum(people) as lts001b_people
    from {{ ref('fct_salt_lts001b') }}
    group by all

),

lts001c as (

    select council_code, period_end, sum(people) as lts001c_people
    from {{ ref('fct_salt_lts001c') }}
    group by all

)

select
    lts001c.council_code,
    lts001c.period_end,
    lts001c.lts001c_people,
    coalesce(lts001b.lts001b_people, 0) as lts001b_people
from lts001c
left join lts001b
    on lts001c.council_code = lts001b.council_code
        and lts001c.period_end = lts001b.period_end
where lts001c.lts001c_people > coalesce(lts001b.lts001b_people, 0)
