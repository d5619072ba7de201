-- Each council's comparator councils, published so analysts can list "us and our comparators"
-- (seed ascof_comparator_groups: Kent's plan list, else nearest adult population).
select
    cast(groups.council_code as varchar) as council_code,
    cast(council.area_name as varchar) as council_name,
    cast(groups.comparator_council_code as varchar) as comparator_council_code,
    cast(comparator.area_name as varchar) as comparator_council_name,
    cast(groups.comparator_rank as integer) as comparator_rank,
    cast(groups.group_basis as varchar) as group_basis,
    cast(groups.group_source as varchar) as group_source,
    cast(groups.population_year as varchar) as population_year,
    cast(groups.council_population_18_plus as bigint) as council_population_18_plus,
    cast(groups.comparator_population_18_plus as bigint) as comparator_population_18_plus
from {{ ref('ascof_comparator_groups') }} as groups
inner join {{ ref('ascof_official_areas') }} as council
    on groups.council_code = council.area_code
inner join {{ ref('ascof_official_areas') }} as comparator
    on groups.comparator_council_code = comparator.area_code
