-- Every English council (seeds/ref_councils.csv, 153 from the ASCOF 2024-25 workbook), with
-- whether this deployment holds data for it: a council is loaded once any of its files has
-- loaded (ops.load_audit). Facts only ever have rows for loaded councils.
with

councils as (

    select * from {{ ref('ref_councils') }}

),

loaded as (

    select council_code, min(loaded_at) as first_loaded_at
    from {{ ref('stg_ops__load_audit') }}
    where load_status = 'loaded'
    group by council_code

)

select
    cast(councils.council_code as varchar) as council_code,
    cast(councils.dfe_la_code as varchar) as dfe_la_code,
    cast(councils.ons_code as varchar) as ons_code,
    cast(councils.council_name as varchar) as council_name,
    cast(councils.council_type as varchar) as council_type,
    cast(councils.region as varchar) as region,
    cast(loaded.council_code is not null as boolean) as is_loaded
from councils
left join loaded
    on councils.council_code = loaded.council_code
