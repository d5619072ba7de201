-- Long-term assessments and reviews completed in the month (Medway MED-M14 "Increase in the
-- number of Long Term Assessments/Reviews completed"), in_month: service users' Assessments
-- whose type is in seeds/kpi_code_lists.csv long_term_assessment_type plus their Reviews whose
-- reason is not short_term_review_reason (a blank reason counts), each counted on its end date
-- (completion). Events, not people: a person assessed and then reviewed counts twice [INT].
with

months as (

    select * from {{ ref('int_kpi_months_enumerated') }}

),

completed as (

    select council_code, derived_event_end_date as completed_date
    from {{ ref('int_cld_events_deduplicated') }}
    where client_type = '{{ var("service_user_client_type") }}'
        and (
            (
                event_type = '{{ var("assessment_event_type") }}'
                and assessment_type in {{ kpi_code_list('long_term_assessment_type') }}
            )
            or (
                event_type = '{{ var("review_event_type") }}'
                and coalesce(
                    review_reason, ''
                ) not in {{ kpi_code_list('short_term_review_reason') }}
            )
        )

),

counted as (

    select
        months.council_code,
        months.month,
        count(completed.completed_date) as completed
    from months
    left join completed
        on months.council_code = completed.council_code
            and completed.completed_date between months.month and months.month_end
    group by all

)

select
    cast(council_code as varchar) as council_code,
    cast('MED-M14' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('in_month' as varchar) as measure_basis,
    cast(completed as double) as numerator,
    cast(null as double) as denominator,
    cast(completed as double) as value
from counted
