-- SALT STS002b from CLD: existing clients' reablement (NHS England SALT method, reference
-- §2.5): ST-Max clusters (gap var('salt_st_max_cluster_gap_days'), int_salt_episodes_clustered)
-- that started while a long-term Nursing, Residential, Community or Prison service was open
-- and ended in the financial year. As NHSE's SQL, high-level totals only: its sequel
-- categories and its route-of-access breakdowns are not derived (CLD has no route of access
-- for an ST-Max). People who died before the year started are out. Under-18s at the year end
-- are excluded as in the other SALT tables (NHSE's SQL has no age filter [U]); people with no
-- birth month are kept. One row per council, financial year and ST-Max cluster.
with

periods as (

    select * from {{ ref('int_reporting_periods_enumerated') }}
    -- SALT is an annual return: financial years only.
    where period_type = 'Financial year'

),

st_max_clusters as (

    select * from {{ ref('int_salt_episodes_clustered') }}
    where episode_kind = 'ST-Max'
        and is_inside_long_term_support

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

)

select
    periods.council_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    st_max_clusters.person_id,
    st_max_clusters.cluster_number,
    st_max_clusters.cluster_start_date,
    st_max_clusters.cluster_end_date,
    st_max_clusters.cluster_outcome
from st_max_clusters
inner join periods
    on st_max_clusters.council_code = periods.council_code
        and st_max_clusters.cluster_end_date between periods.period_start and periods.period_end
where (
    st_max_clusters.date_of_death is null
    or st_max_clusters.date_of_death >= periods.period_start
)
and coalesce(
    {{ age_in_years('st_max_clusters.birth_month', 'periods.period_end') }}
    >= (select min(min_age) from age_bands),
    true
)
