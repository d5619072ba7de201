select
    cast(council_code as varchar) as council_code,
    cast(dfe_la_code as varchar) as dfe_la_code,
    cast(ons_code as varchar) as ons_code,
    cast(council_name as varchar) as council_name,
    cast(council_type as varchar) as council_type,
    cast(region as varchar) as region
from {{ ref('ref_councils') }}
