with

source as (

    select * from {{ source('ops', 'data_quality_result') }}

),

renamed as (

    select
        run_id,
        run_at,
        suite as suite_name,
        table_name,
        expectation as expectation_type,
        column_name,
        council_code,
        severity,
        success as is_success,
        observed_value,
        unexpected_count
    from source

)

select * from renamed
