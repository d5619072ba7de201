-- Enablement for older people and physical disability (OPPD; S001 AH D04, AH D05, reference
-- 2.2). OPPD is the division of seeds/kpi_client_groups.csv for the support reason and age.
--   AH D04 enabling referrals, financial_year_to_date: a referral is a service user's Request,
--   Assessment or Review whose outcome is in seeds/kpi_code_lists.csv enablement_referral
--   (Progress to reablement/ST-Max), dated by its end date. A person's referral outcomes fewer
--   than var('kpi_enablement_referral_gap_days') + 1 days after the previous one are the same
--   referral (a request sent to assessment and the assessment's outcome count once), dated by
--   the first. OPPD by the event's support reason (blank = Unknown) and the age on the referral
--   date. Reported for financial years that start inside the coverage.
--   AH D05 successfully enabled, in_month: the ASCOF 2A method (int_ascof_2a_sequels_assigned):
--   reablement clusters of NEW clients ending in the month, successful = the 2A numerator (no
--   further request for ongoing support), out of the 2A denominator. OPPD by age at the cluster
--   end and the latest known support reason on the person's service-user records starting by
--   then [INT: reference 3.3 matches D05 to ASCOF 2A "if successfully enabled = no ongoing
--   long-term support"]. Reported for months whose 2A new-client look-back starts inside the
--   coverage (long-term support ending before the coverage is unknown).
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

months as not materialized (

    select * from {{ ref('int_kpi_months_enumerated') }}
    where {{ councils }}

),

events as not materialized (

    select * from {{ ref('int_cld_events_deduplicated') }}
    where client_type = '{{ var("service_user_client_type") }}'
        and {{ councils }}

),

client_groups as (

    select * from {{ ref('kpi_client_groups') }}

),

birth_months as (

    select * from {{ ref('int_cld_person_details') }}
    where {{ councils }}

),

referral_outcomes as (

    select
        council_code,
        person_id,
        derived_event_end_date as referral_date,
        coalesce(primary_support_reason, 'Unknown') as primary_support_reason,
        event_row_id
    from events
    where event_type in (
            '{{ var("request_event_type") }}',
            '{{ var("assessment_event_type") }}',
            '{{ var("review_event_type") }}'
        )
        and event_outcome in {{ kpi_code_list('enablement_referral') }}

),

referrals as (

    select *
    from referral_outcomes
    qualify coalesce(
            datediff(
                'day',
                lag(referral_date) over (
                    partition by council_code, person_id order by referral_date, event_row_id
                ),
                referral_date
            ) > {{ var('kpi_enablement_referral_gap_days') }},
            true
        )

),

oppd_referrals as (

    select referrals.council_code, referrals.referral_date
    from referrals
    inner join birth_months
        on referrals.council_code = birth_months.council_code
            and referrals.person_id = birth_months.person_id
    inner join client_groups
        on referrals.primary_support_reason = client_groups.primary_support_reason
            and {{ age_in_years('birth_months.birth_month', 'referrals.referral_date') }}
            >= client_groups.min_age
            and (
                client_groups.max_age is null
                or {{ age_in_years('birth_months.birth_month', 'referrals.referral_date') }}
                <= client_groups.max_age
            )
    where client_groups.division = 'OPPD'

),

support_reasons_known as (

    select council_code, person_id, event_start_date, primary_support_reason
    from events
    where coalesce(primary_support_reason, 'Unknown') <> 'Unknown'
    qualify row_number() over (
            partition by council_code, person_id, event_start_date
            order by loaded_at desc, primary_support_reason asc
        ) = 1

),

clusters as (

    select
        clusters.council_code,
        clusters.cluster_end_date,
        clusters.in_numerator,
        clusters.in_denominator,
        clusters.age_at_cluster_end,
        coalesce(support_reasons_known.primary_support_reason, 'Unknown') as primary_support_reason
    from (
        select * from {{ ref('int_ascof_2a_sequels_assigned') }}
        where {{ councils }}
    ) as clusters
    asof left join support_reasons_known
        on clusters.council_code = support_reasons_known.council_code
            and clusters.person_id = support_reasons_known.person_id
            and clusters.cluster_end_date >= support_reasons_known.event_start_date

),

oppd_clusters as (

    select clusters.*
    from clusters
    inner join client_groups
        on clusters.primary_support_reason = client_groups.primary_support_reason
            and clusters.age_at_cluster_end >= client_groups.min_age
            and (
                client_groups.max_age is null
                or clusters.age_at_cluster_end <= client_groups.max_age
            )
    where client_groups.division = 'OPPD'

),

referrals_counted as (

    select
        months.council_code,
        months.month,
        count(oppd_referrals.referral_date) as referrals
    from months
    left join oppd_referrals
        on months.council_code = oppd_referrals.council_code
            and oppd_referrals.referral_date between months.financial_year_start and months.month_end
    where months.financial_year_start >= months.coverage_start
    group by all

),

clusters_counted as (

    select
        months.council_code,
        months.month,
        count(*) filter (where oppd_clusters.in_numerator) as enabled,
        count(*) filter (where oppd_clusters.in_denominator) as clusters
    from months
    left join oppd_clusters
        on months.council_code = oppd_clusters.council_code
            and oppd_clusters.cluster_end_date between months.month and months.month_end
    where months.month - {{ var('ascof_2a_new_client_lookback_days') }} >= months.coverage_start
    group by all

)

select
    cast(council_code as varchar) as council_code,
    cast('AH D04' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('financial_year_to_date' as varchar) as measure_basis,
    cast(referrals as double) as numerator,
    cast(null as double) as denominator,
    cast(referrals as double) as value
from referrals_counted

union all

select
    council_code, 'AH D05', month, 'in_month',
    cast(enabled as double), cast(clusters as double),
    {{ kpi_ratio('enabled', 'clusters', 100) }}
from clusters_counted
