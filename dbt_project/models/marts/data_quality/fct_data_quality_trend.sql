-- Each check's result per council and run, with the previous run's result and how many runs in
-- a row it has now failed: the record the data owners report on. A run's mart checks appear
-- from the next night's build, because dbt runs before the marts are checked.
with

results as (

    select * from {{ ref('stg_ops__data_quality_results') }}

),

with_history as (

    select
        *,
        lag(unexpected_count) over check_history as previous_unexpected_count,
        -- Each success starts a new streak; failures after it share its streak number.
        count(*) filter (where is_success) over (
            check_history rows between unbounded preceding and current row
        ) as streak
    from results
    window check_history as (
        partition by council_code, suite_name, expectation_type, column_name
        order by run_at, run_id
    )

)

select
    cast(council_code as varchar) as council_code,
    cast(suite_name as varchar) as suite_name,
    cast(table_name as varchar) as table_name,
    cast(expectation_type as varchar) as expectation_type,
    cast(column_name as varchar) as column_name,
    cast(severity as varchar) as severity,
    cast(run_id as varchar) as run_id,
    cast(run_at as timestamp) as run_at,
    cast(is_success as boolean) as is_success,
    cast(unexpected_count as bigint) as unexpected_count,
    cast(previous_unexpected_count as bigint) as previous_unexpected_count,
    cast(
        case when is_success then 0 else count(*) filter (where not is_success) over (
                    partition by council_code, suite_name, expectation_type, column_name, streak
                    order by run_at, run_id rows between unbounded preceding and current row
                )
        end
        as bigint
    ) as consecutive_failures
from with_history
