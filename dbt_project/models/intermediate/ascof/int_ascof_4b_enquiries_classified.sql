-- ASCOF 4B input: every concluded section 42 enquiry (the SAC SG2 population: concern outcome
-- var('safeguarding_s42_outcome') with an enquiry end date) of an adult, with whether it is in
-- the 4B denominator (a risk was identified and its outcome is removed, reduced or remains) and
-- numerator (removed or reduced), from seeds/ascof_4b_risk_outcomes.csv. Enquiries where no risk
-- was identified, or it is not known, are kept with both flags false so the analyst can see them.
-- Adult: not known to be under the youngest age band (18) on the day the concern was received;
-- unknown age is kept, as in the CLD measures. The unit is the enquiry, as in SAC SG2c/SG2e.
with

concerns as (

    select * from {{ ref('int_safeguarding_concerns_deduplicated') }}

),

risk_outcomes as (

    select * from {{ ref('ascof_4b_risk_outcomes') }}

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

),

concluded as (

    select
        concerns.council_code,
        concerns.concern_id,
        concerns.person_id,
        concerns.birth_month,
        concerns.concern_received_date,
        concerns.enquiry_end_date,
        concerns.risk_identified,
        concerns.risk_outcome,
        {{ age_in_years('concerns.birth_month', 'concerns.enquiry_end_date') }}
            as age_at_enquiry_end
    from concerns
    where concerns.concern_outcome = '{{ var("safeguarding_s42_outcome") }}'
        and concerns.enquiry_end_date is not null
        and (
            concerns.birth_month is null
            or {{ age_in_years('concerns.birth_month', 'concerns.concern_received_date') }}
            >= (select min(min_age) from age_bands)
        )

)

select
    concluded.council_code,
    concluded.concern_id,
    concluded.person_id,
    concluded.enquiry_end_date,
    concluded.risk_identified,
    concluded.risk_outcome,
    case
        when concluded.age_at_enquiry_end is null then 'Unknown'
        else age_bands.age_band
    end as age_band,
    coalesce(
        concluded.risk_identified = '{{ var("safeguarding_risk_identified") }}'
        and risk_outcomes.in_denominator,
        false
    ) as in_denominator,
    coalesce(
        concluded.risk_identified = '{{ var("safeguarding_risk_identified") }}'
        and risk_outcomes.in_numerator,
        false
    ) as in_numerator
from concluded
left join risk_outcomes
    on concluded.risk_outcome = risk_outcomes.risk_outcome
left join age_bands
    on concluded.age_at_enquiry_end >= age_bands.min_age
        and (age_bands.max_age is null or concluded.age_at_enquiry_end <= age_bands.max_age)
