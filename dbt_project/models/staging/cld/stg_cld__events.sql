with

source as (

    select * from {{ source('cld', 'cld_events') }}

),

renamed as (

    select
        ---------- ids
        {{ cld_event_row_id() }} as event_row_id,
        council_code,
        release,
        load_id,
        -- National person-matching rule: the NHS number where there is one, else the council's
        -- own identifier (DHSC GetDerivedFields). Both are keyed hashes here.
        coalesce(nhs_number_pseudo, council_code || ':' || la_person_id_pseudo) as person_id,
        nhs_number_pseudo,
        la_person_id_pseudo,
        event_reference,

        ---------- submission
        cast(reporting_period_start_date as date) as reporting_period_start_date,
        cast(reporting_period_end_date as date) as reporting_period_end_date,

        ---------- person
        birth_month,
        try_cast(date_of_death as date) as date_of_death,
        gender,
        ethnicity,
        client_type,
        primary_support_reason,
        postcode_district,
        accommodation_status,
        employment_status,
        has_unpaid_carer,
        autism_spectrum_disorder,
        visual_impairment,
        hearing_impairment,
        dementia,
        client_funding_status,
        gp_practice_code,

        ---------- event
        event_type,
        try_cast(event_start_date as date) as event_start_date,
        try_cast(event_end_date as date) as event_end_date,
        event_outcome,
        request_route_of_access,
        assessment_type,
        eligible_needs_identified,
        method_of_assessment,
        review_reason,
        review_outcomes_achieved,
        method_of_review,

        ---------- carers
        total_hrs_caring_per_week,
        try_cast(adults_cared_for_count as integer) as adults_cared_for_count,
        adult_1_linked_person_id_pseudo,
        adult_2_linked_person_id_pseudo,
        adult_3_linked_person_id_pseudo,

        ---------- services
        service_type,
        service_component,
        delivery_mechanism,
        provider_cqc_location_id,
        provider_cqc_location_name,
        try_cast(unit_cost as decimal(18, 2)) as unit_cost,
        cost_frequency,
        try_cast(planned_units_per_week as decimal(18, 2)) as planned_units_per_week,

        ---------- lineage
        source_file,
        source_row_number,
        loaded_at

    from source

)

select * from renamed
