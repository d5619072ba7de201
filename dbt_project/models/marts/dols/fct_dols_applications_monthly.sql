-- DoLS activity per council, month and application type, in the shape of the national DoLS
-- return: applications received, completed (by outcome), completed within the statutory time,
-- mean days to completion, and applications not completed at the month end (the backlog).
-- Months are those the council's DoLS files cover; a month without activity has zeros.
{#- One completed_<column> per Outcome code of seeds/dols_code_list.csv. -#}
{%- set outcome_columns = {
    'granted': 'Granted', 'not_granted': 'Not granted', 'withdrawn': 'Withdrawn'
} %}
with

months as (

    select * from {{ ref('int_kpi_feed_months_enumerated') }}
    where feed = '{{ var("dols_feed") }}'

),

application_types as (

    select code as application_type
    from {{ ref('dols_code_list') }}
    where field = 'Application Type'

),

applications as not materialized (

    select * from {{ ref('int_dols_applications_timed') }}

),

grid as (

    select months.council_code, months.month, months.month_end, application_types.application_type
    from months
    cross join application_types

),

received as (

    select
        grid.council_code,
        grid.month,
        grid.application_type,
        count(applications.application_id) as applications_received
    from grid
    left join applications
        on grid.council_code = applications.council_code
            and grid.application_type = applications.application_type
            and applications.received_date between grid.month and grid.month_end
    group by all

),

completed as (

    select
        grid.council_code,
        grid.month,
        grid.application_type,
        count(applications.application_id) as applications_completed,
        count(*) filter (where applications.is_completed_within_time) as completed_within_time,
        {%- for column, outcome in outcome_columns.items() %}
            count(*) filter (where applications.outcome = '{{ outcome }}')
                as completed_{{ column }},
        {%- endfor %}
        avg(applications.days_to_completion) as mean_days_to_completion
    from grid
    left join applications
        on grid.council_code = applications.council_code
            and grid.application_type = applications.application_type
            and applications.completed_date between grid.month and grid.month_end
    group by all

),

open_at_month_end as (

    select
        grid.council_code,
        grid.month,
        grid.application_type,
        count(applications.application_id) as not_completed_at_month_end
    from grid
    left join applications
        on grid.council_code = applications.council_code
            and grid.application_type = applications.application_type
            and grid.month_end >= applications.received_date
            and (
                applications.completed_date is null or grid.month_end < applications.completed_date
            )
    group by all

)

select
    cast(grid.council_code as varchar) as council_code,
    cast(grid.month as date) as month,
    cast(grid.application_type as varchar) as application_type,
    cast({{ dols_statutory_days('grid.application_type') }} as integer) as statutory_days,
    cast(received.applications_received as bigint) as applications_received,
    cast(completed.applications_completed as bigint) as applications_completed,
    cast(completed.completed_within_time as bigint) as completed_within_time,
    {%- for column in outcome_columns %}
        cast(completed.completed_{{ column }} as bigint) as completed_{{ column }},
    {%- endfor %}
    cast(completed.mean_days_to_completion as double) as mean_days_to_completion,
    cast(open_at_month_end.not_completed_at_month_end as bigint) as not_completed_at_month_end
from grid
inner join received
    on grid.council_code = received.council_code
        and grid.month = received.month
        and grid.application_type = received.application_type
inner join completed
    on grid.council_code = completed.council_code
        and grid.month = completed.month
        and grid.application_type = completed.application_type
inner join open_at_month_end
    on grid.council_code = open_at_month_end.council_code
        and grid.month = open_at_month_end.month
        and grid.application_type = open_at_month_end.application_type
