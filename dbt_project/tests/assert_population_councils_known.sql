-- Every council with a population estimate is a known council (seeds/ref_councils.csv): a typo
-- in a council code would otherwise leave a council's 2B/2C denominator silently missing.
select population.council_code, population.council_name
from {{ ref('ons_population_estimates') }} as population
where population.council_code not in (select council_code from {{ ref('ref_councils') }})
