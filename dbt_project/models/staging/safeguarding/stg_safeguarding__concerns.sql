with

source as (

    select * from {{ source('safeguarding', 'safeguarding_concerns') }}

),

renamed as (

    select
        ---------- ids
        cast(council_code as varchar) as council_code,
        cast(concern_id_pseudo as varchar) as concern_id,
        -- The CLD person rule (stg_cld__events): the NHS number where valid, else the council's
        -- own identifier. Both are keyed hashes, so the same person gets the same id in CLD.
        cast(
            coalesce(nhs_number_pseudo, council_code || ':' || la_person_id_pseudo) as varchar
        ) as person_id,

        ---------- person
        cast(birth_month as date) as birth_month,

        ---------- concern and enquiry
        cast(concern_received_date as date) as concern_received_date,
        cast(concern_outcome as varchar) as concern_outcome,
        cast(enquiry_start_date as date) as enquiry_start_date,
        cast(enquiry_end_date as date) as enquiry_end_date,
        cast(risk_identified as varchar) as risk_identified,
        cast(risk_outcome as varchar) as risk_outcome,
        cast(outcomes_expressed as varchar) as outcomes_expressed,
        cast(outcomes_achieved as varchar) as outcomes_achieved,

        ---------- lineage
        cast(load_id as varchar) as load_id,
        cast(source_file as varchar) as source_file,
        cast(source_row_number as bigint) as source_row_number

    from source

)

select * from renamed
