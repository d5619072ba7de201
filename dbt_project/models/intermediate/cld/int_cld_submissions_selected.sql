-- Which loaded file supplies each council's data for each quarter (reference period), as
-- DHSC's running code selects them (create_main_table_for_period with GetSubmissions,
-- 'Derived'):
--   * quarters run in 3-month steps from var('cld_joined_submissions_start') to the last
--     quarter any eligible file covers;
--   * a file is eligible for a quarter when its derived period (int_cld_submission_periods_derived)
--     covers the whole quarter, it was imported after the quarter ended, loaded on or before
--     var('cld_submissions_as_of') (null: every file loaded so far), and it is not in
--     seeds/cld_excluded_submissions.csv;
--   * of the eligible files the most recently imported wins (not the one with the latest
--     period: a resubmission of an old period replaces the file it corrects). The import time
--     is when the file arrived (imported_at, int_cld_submission_periods_derived), so files that
--     arrive together and load the same night keep their order of arrival; the as-of date
--     compares the load time, as it reproduces what a past night loaded;
--   * each selected file then supplies one reference period, from the first to the last
--     quarter it was selected for (DHSC joins each file once, over that whole range).
-- A quarter no eligible file covers has no row: its council has a gap there.
{%- set as_of = var('cld_submissions_as_of') %}
with

files as not materialized (

    select * from {{ ref('int_cld_submission_periods_derived') }}
    where not is_excluded
        and derived_period_start_date is not null
    {#- Null as-of: every file loaded so far (no clock, so a lean night need not rebuild). #}
    {%- if as_of %}
        and cast(loaded_at as date) <= cast('{{ as_of }}' as date)
        {%- endif %}

),

quarters as (

    select
        council_code,
        cast(quarter_start as date) as quarter_start_date,
        cast(quarter_start + interval 3 month - interval 1 day as date) as quarter_end_date
    from (
        select
            council_code,
            unnest(generate_series(
                cast('{{ var("cld_joined_submissions_start") }}' as timestamp),
                cast(max(derived_period_end_date) as timestamp),
                interval 3 month
            )) as quarter_start
        from files
        group by council_code
    )

),

candidates as (

    select
        quarters.council_code,
        quarters.quarter_start_date,
        quarters.quarter_end_date,
        files.load_id,
        files.release,
        files.loaded_at,
        files.imported_at,
        row_number() over (
            partition by quarters.council_code, quarters.quarter_start_date
            order by files.imported_at desc, files.loaded_at desc, files.load_id desc
        ) as recency_rank
    from quarters
    inner join files
        on quarters.council_code = files.council_code
            and quarters.quarter_start_date >= files.derived_period_start_date
            and files.derived_period_end_date >= quarters.quarter_end_date
            -- DHSC compares the import time with the quarter end date (midnight starting it).
            and files.imported_at > cast(quarters.quarter_end_date as timestamp)

)

select
    council_code,
    quarter_start_date,
    quarter_end_date,
    load_id,
    release,
    loaded_at,
    imported_at,
    min(quarter_start_date)
        over (partition by council_code, load_id)
        as reference_period_start_date,
    max(quarter_end_date) over (partition by council_code, load_id) as reference_period_end_date
from candidates
where recency_rank = 1
