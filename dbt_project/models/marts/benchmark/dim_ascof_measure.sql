-- Every ASCOF measure: the 25 the official series publishes and those computed here (the
-- carers' 3D(1b), 3D(2b) are computed but not published for 2024-25), with polarity and unit.
with

official as (

    select * from {{ ref('ascof_official_measures') }}

),

computed as (

    select * from {{ ref('ascof_measures') }}

),

codes as (

    select measure_code from official
    union
    select measure_code from computed

)

select
    cast(codes.measure_code as varchar) as measure_code,
    cast(coalesce(official.legacy_code, computed.legacy_code) as varchar) as legacy_code,
    cast(coalesce(official.measure_name, computed.measure_name) as varchar) as measure_name,
    cast(polarity.polarity as varchar) as polarity,
    cast(polarity.outcome_unit as varchar) as outcome_unit,
    cast(polarity.decimal_places as integer) as decimal_places,
    cast(coalesce(official.data_source, computed.data_source) as varchar) as data_source,
    cast(computed.measure_code is not null as boolean) as is_computed_here,
    cast(official.measure_code is not null as boolean) as is_in_official_series,
    cast(official.start_year as varchar) as official_start_year,
    cast(official.numerator_definition as varchar) as numerator_definition,
    cast(official.denominator_definition as varchar) as denominator_definition,
    cast(official.outcome_definition as varchar) as outcome_definition,
    cast(polarity.polarity_basis as varchar) as polarity_basis
from codes
left join official
    on codes.measure_code = official.measure_code
left join computed
    on codes.measure_code = computed.measure_code
left join {{ ref('ascof_measure_polarity') }} as polarity
    on codes.measure_code = polarity.measure_code
