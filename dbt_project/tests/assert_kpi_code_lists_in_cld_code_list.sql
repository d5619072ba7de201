-- Business-plan KPIs: every CLD value the KPI seeds select on is a Release 2 value of that
-- field in seeds/cld_code_list.csv (a typo would silently match nothing). Returns the values
-- that are not.
with

used as (

    select cld_field_name, code_value, 'kpi_code_lists' as seed
    from {{ ref('kpi_code_lists') }}

    union all

    select 'Primary Support Reason', primary_support_reason, 'kpi_client_groups'
    from {{ ref('kpi_client_groups') }}

)

select used.*
from used
where not exists (
        select 1
        from {{ ref('cld_code_list') }} as code_list
        where code_list.release = 'R2'
            and code_list.cld_field_name = used.cld_field_name
            and code_list.code_value = used.code_value
    )
