-- Each CLD file name's current load: a corrected file delivered under the same name supersedes
-- the earlier load, so field-quality counts and failures never add the two together.
select
    load_id,
    council_code,
    file_name,
    loaded_at
from {{ ref('stg_ops__cld_loads') }}
where load_id in ({{ loaded_cld_loads_sql() }})
qualify row_number() over (
        partition by council_code, file_name order by loaded_at desc, load_id desc
    ) = 1
