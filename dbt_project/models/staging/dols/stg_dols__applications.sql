with

source as (

    select * from {{ source('dols', 'dols_applications') }}

),

renamed as (

    select
        ---------- ids
        cast(council_code as varchar) as council_code,
        cast(application_id_pseudo as varchar) as application_id,
        -- The CLD person rule (stg_cld__events): the NHS number where valid, else the council's
        -- own identifier. Both are keyed hashes, so the same person gets the same id in CLD.
        cast(
            coalesce(nhs_number_pseudo, council_code || ':' || la_person_id_pseudo) as varchar
        ) as person_id,

        ---------- person
        cast(birth_month as date) as birth_month,

        ---------- application
        cast(received_date as date) as received_date,
        cast(application_type as varchar) as application_type,
        cast(care_setting as varchar) as care_setting,
        cast(completed_date as date) as completed_date,
        cast(outcome as varchar) as outcome,

        ---------- lineage
        cast(load_id as varchar) as load_id,
        cast(source_file as varchar) as source_file,
        cast(source_row_number as bigint) as source_row_number

    from source

)

select * from renamed
