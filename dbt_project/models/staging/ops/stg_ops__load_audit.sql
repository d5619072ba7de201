with

source as (

    select * from {{ source('ops', 'load_audit') }}

),

renamed as (

    select
        load_id,
        feed,
        file_name,
        checksum,
        council_code,
        release,
        reporting_period_start as reporting_period_start_date,
        reporting_period_end as reporting_period_end_date,
        status as load_status,
        rows_in,
        rows_loaded,
        rows_quarantined,
        loaded_at,
        arrived_at
    from source

)

select * from renamed
