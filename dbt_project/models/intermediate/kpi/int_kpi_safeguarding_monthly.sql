-- Kent AH S21-S24 from the safeguarding feed (definitions and choices: _kpi_feeds.yml):
--   AH S21 concerns received, financial year to date (received date from 1 April to month end);
--   AH S22 enquiries started (section 42 and other, var('safeguarding_enquiry_outcomes')),
--          financial year to date, by enquiry start date;
--   AH S23 average days from concern received to enquiry end, over the enquiries (both kinds)
--          concluded in the month;
--   AH S24 % of the section 42 enquiries concluded in the month with a risk identified whose
--          risk was removed or reduced: ASCOF 4B's rule month by month
--          (int_ascof_4b_enquiries_classified), so the twelve monthly numerators and
--          denominators of a financial year add up to 4B's for that year.
-- Concerns about people known to be under 18 when the concern was received are left out.
with

months as not materialized (

    select * from {{ ref('int_kpi_feed_months_enumerated') }}
    where feed = '{{ var("safeguarding_feed") }}'

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

),

concerns as (

    select *
    from {{ ref('int_safeguarding_concerns_deduplicated') }}
    where birth_month is null
        or {{ age_in_years('birth_month', 'concern_received_date') }}
        >= (select min(min_age) from age_bands)

),

enquiries as (

    select
        council_code,
        enquiry_start_date,
        enquiry_end_date,
        datediff('day', concern_received_date, enquiry_end_date) as days_concern_to_end
    from concerns
    where concern_outcome in (
            {%- for outcome in var('safeguarding_enquiry_outcomes') %}
                '{{ outcome }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )

),

s42_concluded as (

    select * from {{ ref('int_ascof_4b_enquiries_classified') }}

),

concerns_received as (

    select months.council_code, months.month, count(concerns.concern_id) as year_to_date
    from months
    left join concerns
        on months.council_code = concerns.council_code
            and concerns.concern_received_date between months.financial_year_start and months.month_end
    group by months.council_code, months.month

),

enquiries_started as (

    select months.council_code, months.month, count(enquiries.enquiry_start_date) as year_to_date
    from months
    left join enquiries
        on months.council_code = enquiries.council_code
            and enquiries.enquiry_start_date between months.financial_year_start and months.month_end
    group by months.council_code, months.month

),

enquiries_concluded as (

    select
        months.council_code,
        months.month,
        coalesce(sum(enquiries.days_concern_to_end), 0) as total_days,
        count(enquiries.enquiry_end_date) as enquiries
    from months
    left join enquiries
        on months.council_code = enquiries.council_code
            and enquiries.enquiry_end_date between months.month and months.month_end
    group by months.council_code, months.month

),

risk_outcomes as (

    select
        months.council_code,
        months.month,
        count(*) filter (where s42_concluded.in_numerator) as reduced_or_removed,
        count(*) filter (where s42_concluded.in_denominator) as risk_identified
    from months
    left join s42_concluded
        on months.council_code = s42_concluded.council_code
            and s42_concluded.enquiry_end_date between months.month and months.month_end
    group by months.council_code, months.month

)

select
    cast(council_code as varchar) as council_code,
    cast('AH S21' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('financial_year_to_date' as varchar) as measure_basis,
    cast(year_to_date as double) as numerator,
    cast(null as double) as denominator,
    cast(year_to_date as double) as value
from concerns_received

union all

select
    cast(council_code as varchar) as council_code,
    cast('AH S22' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('financial_year_to_date' as varchar) as measure_basis,
    cast(year_to_date as double) as numerator,
    cast(null as double) as denominator,
    cast(year_to_date as double) as value
from enquiries_started

union all

select
    cast(council_code as varchar) as council_code,
    cast('AH S23' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('in_month' as varchar) as measure_basis,
    cast(total_days as double) as numerator,
    cast(enquiries as double) as denominator,
    {{ kpi_ratio('total_days', 'enquiries') }} as value
from enquiries_concluded

union all

select
    cast(council_code as varchar) as council_code,
    cast('AH S24' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('in_month' as varchar) as measure_basis,
    cast(reduced_or_removed as double) as numerator,
    cast(risk_identified as double) as denominator,
    {{ kpi_ratio('reduced_or_removed', 'risk_identified', 100) }} as value
from risk_outcomes
