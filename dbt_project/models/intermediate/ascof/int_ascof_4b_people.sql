-- Drill-through for 4B: each person with a section 42 enquiry concluded in the period, once per
-- period, in the denominator (numerator) when any of their enquiries is, in the age band at
-- their latest enquiry end. People whose enquiries had no risk identified (or not known) are
-- listed with in_denominator false; the enquiry detail is in int_ascof_4b_enquiries_classified.
-- Periods are the measure's (int_ascof_4b_measures_aggregated): those the feed fully covers.
with

periods as (

    select distinct council_code, period_type, period_start, period_end
    from {{ ref('int_ascof_4b_measures_aggregated') }}

),

enquiries as (

    select * from {{ ref('int_ascof_4b_enquiries_classified') }}

)

select
    periods.council_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    '4B' as measure_code,
    enquiries.person_id,
    arg_max(enquiries.age_band, enquiries.enquiry_end_date) as age_band,
    bool_or(enquiries.in_numerator) as in_numerator,
    bool_or(enquiries.in_denominator) as in_denominator
from periods
inner join enquiries
    on periods.council_code = enquiries.council_code
        and enquiries.enquiry_end_date between periods.period_start and periods.period_end
group by
    periods.council_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    enquiries.person_id
