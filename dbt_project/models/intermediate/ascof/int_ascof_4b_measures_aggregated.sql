-- ASCOF 4B numerator and denominator per council, reporting period and breakdown: section 42
-- enquiries concluded in the period where a risk was identified, N = risk removed + reduced,
-- D = removed + reduced + remains (reference 1.3, SAC SG2c + SG2e). The unit is the enquiry: a
-- person with two such enquiries counts twice. Only the Total breakdown: the reference gives
-- 4B's counts for the council as a whole, not by age. Periods are those of the other measures,
-- kept only where the council's safeguarding files cover the whole period (a period without
-- the feed has no row rather than a 0 / 0).
with

periods as (

    select * from {{ ref('int_reporting_periods_enumerated') }}

),

feed_months as (

    select * from {{ ref('int_kpi_feed_months_enumerated') }}
    where feed = '{{ var("safeguarding_feed") }}'

),

coverage as (

    select council_code, min(month) as covered_from, max(month_end) as covered_to
    from feed_months
    group by council_code

),

covered_periods as (

    select periods.*
    from periods
    inner join coverage
        on periods.council_code = coverage.council_code
            and periods.period_start >= coverage.covered_from
            and periods.period_end <= coverage.covered_to

),

enquiries as (

    select * from {{ ref('int_ascof_4b_enquiries_classified') }}

)

select
    covered_periods.council_code,
    covered_periods.period_type,
    covered_periods.period_start,
    covered_periods.period_end,
    '4B' as measure_code,
    'Total' as breakdown,
    cast(count(enquiries.concern_id) filter (where enquiries.in_numerator) as bigint) as numerator,
    cast(count(enquiries.concern_id) filter (where enquiries.in_denominator) as bigint)
        as denominator
from covered_periods
left join enquiries
    on covered_periods.council_code = enquiries.council_code
        and enquiries.enquiry_end_date
        between covered_periods.period_start and covered_periods.period_end
group by
    covered_periods.council_code,
    covered_periods.period_type,
    covered_periods.period_start,
    covered_periods.period_end
