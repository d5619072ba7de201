-- ASCOF 2D step 2: every hospital discharge (provider spell, fields of its last episode) with
-- the checks that put it in the 2D cohort, the denominator of 2D(2) (DHSC Create_ASCOF_2D,
-- "SUS All Discharges"). exclusion_reason names the first check a spell fails, in this order:
--   * no person_id (no valid NHS number: DHSC drops spells without a pseudonymised NHS number,
--     as they cannot link to CLD);
--   * age at discharge below var('ascof_2d_min_age') (age_in_years from the birth month; an
--     unknown birth month is out, as in DHSC);
--   * a code in seeds/ascof_2d_discharge_exclusions.csv: admission method, discharge method,
--     discharge destination or treatment function (exact codes, and prefixes for 65x and 7xx);
--   * admitted before var('ascof_2d_admission_start_date');
--   * not admitted before the discharge day (DHSC's data-quality check, which also drops
--     zero-length stays);
--   * in long-term nursing, residential or prison support at admission
--     (seeds/ascof_2d_long_term_services.csv excludes_at_admission): a CLD service of the
--     person in the same council that started on or before the admission date and ended on or
--     after it, or is open (end corrected to the date of death, int_ascof_2a_events_prepared).
-- Reporting periods select spells by discharge date (int_ascof_2d_reablement_linked,
-- int_ascof_2d_measures_aggregated).
with

discharges as not materialized (

    select * from {{ ref('int_hospital_discharges_deduplicated') }}

),

exclusion_codes as (

    select * from {{ ref('ascof_2d_discharge_exclusions') }}

),

long_term_services as (

    select * from {{ ref('ascof_2d_long_term_services') }}
    where excludes_at_admission

),

events as (

    select * from {{ ref('int_ascof_2a_events_prepared') }}

),

discharge_codes as (

    unpivot (
        select
            council_code,
            spell_id,
            admission_method,
            discharge_method,
            discharge_destination,
            treatment_function_code
        from discharges
    )
    on admission_method, discharge_method, discharge_destination, treatment_function_code
    into name field value code_value

),

excluded_fields as (

    select
        discharge_codes.council_code,
        discharge_codes.spell_id,
        bool_or(discharge_codes.field = 'admission_method') as has_excluded_admission_method,
        bool_or(discharge_codes.field = 'discharge_method') as has_excluded_discharge_method,
        bool_or(discharge_codes.field = 'discharge_destination')
            as has_excluded_discharge_destination,
        bool_or(discharge_codes.field = 'treatment_function_code')
            as has_excluded_treatment_function
    from discharge_codes
    inner join exclusion_codes
        on discharge_codes.field = exclusion_codes.field
            and (
                (
                    exclusion_codes.match_type = 'exact'
                    and discharge_codes.code_value = exclusion_codes.code
                )
                or (
                    exclusion_codes.match_type = 'prefix'
                    and starts_with(discharge_codes.code_value, exclusion_codes.code)
                )
            )
    group by discharge_codes.council_code, discharge_codes.spell_id

),

in_long_term_care_at_admission as (

    select distinct
        discharges.council_code,
        discharges.spell_id
    from discharges
    inner join events
        on discharges.council_code = events.council_code
            and discharges.person_id = events.person_id
    inner join long_term_services
        on events.service_type = long_term_services.service_type
    where events.event_type = '{{ var("service_event_type") }}'
        and events.event_start_date <= discharges.admission_date
        and (events.event_end_date is null or events.event_end_date >= discharges.admission_date)

),

checked as (

    select
        discharges.council_code,
        discharges.spell_id,
        discharges.person_id,
        discharges.birth_month,
        discharges.admission_date,
        discharges.discharge_date,
        discharges.admission_method,
        discharges.discharge_method,
        discharges.discharge_destination,
        discharges.treatment_function_code,
        cast({{ age_in_years('discharges.birth_month', 'discharges.discharge_date') }} as integer)
            as age_at_discharge,
        coalesce(excluded_fields.has_excluded_admission_method, false)
            as has_excluded_admission_method,
        coalesce(excluded_fields.has_excluded_discharge_method, false)
            as has_excluded_discharge_method,
        coalesce(excluded_fields.has_excluded_discharge_destination, false)
            as has_excluded_discharge_destination,
        coalesce(excluded_fields.has_excluded_treatment_function, false)
            as has_excluded_treatment_function,
        in_long_term_care_at_admission.spell_id is not null as was_in_long_term_care_at_admission
    from discharges
    left join excluded_fields
        on discharges.council_code = excluded_fields.council_code
            and discharges.spell_id = excluded_fields.spell_id
    left join in_long_term_care_at_admission
        on discharges.council_code = in_long_term_care_at_admission.council_code
            and discharges.spell_id = in_long_term_care_at_admission.spell_id

),

reasoned as (

    select
        *,
        case
            when person_id is null then 'No person identifier'
            when coalesce(age_at_discharge < {{ var('ascof_2d_min_age') }}, true)
                then 'Under minimum age or age unknown'
            when has_excluded_admission_method then 'Excluded admission method'
            when has_excluded_discharge_method then 'Excluded discharge method'
            when has_excluded_discharge_destination then 'Excluded discharge destination'
            when has_excluded_treatment_function then 'Excluded treatment function'
            when admission_date < cast('{{ var("ascof_2d_admission_start_date") }}' as date)
                then 'Admitted before the start date'
            when not coalesce(admission_date < discharge_date, false)
                then 'Not admitted before the discharge day'
            when was_in_long_term_care_at_admission
                then 'In long-term nursing, residential or prison support at admission'
        end as exclusion_reason
    from checked

)

select
    *,
    exclusion_reason is null as is_in_cohort
from reasoned
