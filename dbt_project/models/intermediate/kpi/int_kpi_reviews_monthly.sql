-- Share of people in long-term support at the month end who were reviewed (S001 AH O10-O13,
-- reference 2.2): denominator = people in int_kpi_long_term_support_month_end; numerator = those
-- with a review of long-term support (a service-user Review whose reason is not in
-- seeds/kpi_code_lists.csv short_term_review_reason; a blank reason counts) that ended in the
-- var('kpi_review_window_months') months to the month end: for March 2025 and 12 months,
-- 1 April 2024 to 31 March 2025 inclusive. Everyone in support counts in the denominator,
-- however recently their support started [INT: Kent's definition is not in the plan].
--   AH O10 all; AH O11 OPPD; AH O12 mental health; AH O13 learning disability.
-- A month is reported only when its look-back starts inside the submissions' coverage:
-- reviews before the coverage are unknown, not absent.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
{%- set kpi_conditions = {
    'AH O10': "true",
    'AH O11': "division = 'OPPD'",
    'AH O12': "client_group = 'Mental health'",
    'AH O13': "client_group = 'Learning disability'",
} %}

with

months as (

    select
        *,
        cast(month - to_months({{ var('kpi_review_window_months') }} - 1) as date) as window_start
    from {{ ref('int_kpi_months_enumerated') }}
    where {{ councils }}

),

reportable_months as (

    select * from months
    where window_start >= coverage_start

),

people as not materialized (

    select * from {{ ref('int_kpi_long_term_support_month_end') }}
    where {{ councils }}

),

reviews as (

    select council_code, person_id, derived_event_end_date as review_date
    from {{ ref('int_cld_events_deduplicated') }}
    where client_type = '{{ var("service_user_client_type") }}'
        and {{ councils }}
        and event_type = '{{ var("review_event_type") }}'
        and coalesce(review_reason, '') not in {{ kpi_code_list('short_term_review_reason') }}

),

reviewed_people as (

    select distinct people.council_code, people.month, people.person_id
    from people
    inner join reportable_months as months
        on people.council_code = months.council_code
            and people.month = months.month
    inner join reviews
        on people.council_code = reviews.council_code
            and people.person_id = reviews.person_id
            and reviews.review_date between months.window_start and months.month_end

),

flagged as (

    select
        people.*,
        reviewed_people.person_id is not null as is_reviewed
    from people
    left join reviewed_people
        on people.council_code = reviewed_people.council_code
            and people.month = reviewed_people.month
            and people.person_id = reviewed_people.person_id

),

counts as (

    select
        council_code,
        month,
    {%- for kpi_ref, condition in kpi_conditions.items() %}
        count(*) filter (where is_reviewed and {{ condition }}) as "{{ kpi_ref }} reviewed",
        count(*) filter (where {{ condition }}) as "{{ kpi_ref }} people"{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from flagged
    group by council_code, month

)

{% for kpi_ref in kpi_conditions %}
    select
        cast(months.council_code as varchar) as council_code,
        cast('{{ kpi_ref }}' as varchar) as kpi_ref,
        cast(months.month as date) as month,
        cast('month_end_snapshot' as varchar) as measure_basis,
        cast(coalesce(counts."{{ kpi_ref }} reviewed", 0) as double) as numerator,
        cast(coalesce(counts."{{ kpi_ref }} people", 0) as double) as denominator,
        {{ kpi_ratio('coalesce(counts."' ~ kpi_ref ~ ' reviewed", 0)', 'counts."' ~ kpi_ref ~ ' people"', 100) }}
            as value
    from reportable_months as months
    left join counts
        on months.council_code = counts.council_code
            and months.month = counts.month
    {% if not loop.last %}union all{% endif %}
{% endfor %}
