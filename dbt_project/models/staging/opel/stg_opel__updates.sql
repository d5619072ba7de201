with

source as (

    select * from {{ source('opel', 'opel_updates') }}

),

renamed as (

    select
        load_id || ':' || source_row_number as update_id,
        council_code,
        load_id,
        cast(report_date as date) as report_date,
        cast(updated_at as timestamp) as updated_at_local,
        area,
        team_or_location,
        indicator_code,
        value as submitted_value,
        try_cast(value as double) as numeric_value,
        cast(total_beds as integer) as total_beds,
        cast(occupied_beds as integer) as occupied_beds,
        source_file,
        source_row_number
    from source

)

select * from renamed
