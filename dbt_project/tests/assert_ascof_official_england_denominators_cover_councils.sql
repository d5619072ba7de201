-- England's published 2B and 2C denominators (ONS populations aged 18-64 and 65+) against the
-- sum of the councils' published denominators: England is never smaller, and the gap (councils
-- suppressed under note 10, e.g. Rutland, City of London, Isles of Scilly, and rounding to 5)
-- is under var ascof_official_national_gap_max of England. Returns each failing measure-year.
{{ config(severity='error') }}

with

denominators as (

    select
        measure_code,
        financial_year,
        sum(denominator) filter (where area_level = 'council') as councils_denominator,
        any_value(denominator) filter (where area_level = 'england') as england_denominator
    from {{ ref('stg_ascof_official__values') }}
    where measure_code in ('2B', '2C')
        and breakdown = '{{ var("ascof_headline_breakdown") }}'
    group by measure_code, financial_year

)

select *
from denominators
where england_denominator is null
    or councils_denominator is null
    or england_denominator < councils_denominator
    or (england_denominator - councils_denominator) * 1.0 / england_denominator
    >= {{ var('ascof_official_national_gap_max') }}
