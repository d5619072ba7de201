with

source as (

    select * from {{ source('hospital', 'hospital_discharges') }}

),

renamed as (

    select
        ---------- ids
        cast(council_code as varchar) as council_code,
        cast(spell_id_pseudo as varchar) as spell_id,
        -- Hospital records link on the NHS number only; an invalid or blank one was not hashed,
        -- so the spell still counts but links to nobody.
        cast(nhs_number_pseudo as varchar) as person_id,

        ---------- person
        cast(birth_month as date) as birth_month,

        ---------- spell
        cast(admission_date as date) as admission_date,
        cast(admission_method as varchar) as admission_method,
        cast(discharge_date as date) as discharge_date,
        cast(discharge_method as varchar) as discharge_method,
        cast(discharge_destination as varchar) as discharge_destination,
        cast(treatment_function_code as varchar) as treatment_function_code,
        cast(management_type as varchar) as management_type,
        cast(discharge_ready_date as date) as discharge_ready_date,
        cast(delay_responsibility as varchar) as delay_responsibility,

        ---------- lineage
        cast(load_id as varchar) as load_id,
        cast(source_file as varchar) as source_file,
        cast(source_row_number as bigint) as source_row_number

    from source

)

select * from renamed
