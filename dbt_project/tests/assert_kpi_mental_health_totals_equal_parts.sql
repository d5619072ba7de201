-- Business-plan KPIs, consistency (S001 Table 8: AH10 = AH11 + AH12, AH14 = AH15 + AH16,
-- AH17 = AH18 + AH19, AH20 = AH21 + AH22, primary + secondary mental health): wherever a total
-- and both its parts have a value for a council and month, the parts add up to the total. CLD
-- has no mental-health tier, so no part is derivable from it today and the check has nothing to
-- compare until a feed carries the tier (seeds/kpi_derivation.csv); it guards that feed.
-- Returns the council-months that do not add up.
with

parts (total_ref, primary_ref, secondary_ref) as (

    values
    ('AH10', 'AH11', 'AH12'),
    ('AH14', 'AH15', 'AH16'),
    ('AH17', 'AH18', 'AH19'),
    ('AH20', 'AH21', 'AH22')

),

kpi as (

    select council_code, kpi_ref, month, value from {{ ref('fct_kpi_monthly') }}

)

select
    total.council_code,
    total.month,
    parts.total_ref,
    total.value as total_value,
    primary_part.value + secondary_part.value as parts_value
from parts
inner join kpi as total
    on parts.total_ref = total.kpi_ref
inner join kpi as primary_part
    on parts.primary_ref = primary_part.kpi_ref
        and total.council_code = primary_part.council_code
        and total.month = primary_part.month
inner join kpi as secondary_part
    on parts.secondary_ref = secondary_part.kpi_ref
        and total.council_code = secondary_part.council_code
        and total.month = secondary_part.month
where total.value <> primary_part.value + secondary_part.value
