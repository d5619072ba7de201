-- The columns read as submitted values (macros/cld_submitted_columns.sql) are exactly the fields'
-- own columns: each field's identifier-check column where it has one, else its raw column. A
-- field with no submitted column would never be validated; a column no field owns (a derived
-- column the loader gained, a pseudonym or a reduced value, missing from the macro's list of
-- columns not submitted) would be read as if someone had submitted it. Rows name the column and
-- which way it fails.
-- depends_on: {{ source('cld', 'cld_events') }}
with

submitted as (

    select unnest([
        {%- for column in cld_submitted_columns() -%}
            '{{ column }}'{{ ", " if not loop.last }}
        {%- endfor -%}
    ]) as column_name

),

field_columns as (

    select distinct coalesce(check_column, raw_column) as column_name
    from {{ ref('cld_fields') }}

)

select
    coalesce(submitted.column_name, field_columns.column_name) as column_name,
    case
        when field_columns.column_name is null then 'read as submitted, but no field owns it'
        else 'owned by a field, but not read as submitted'
    end as problem
from submitted
full outer join field_columns
    on submitted.column_name = field_columns.column_name
where submitted.column_name is null or field_columns.column_name is null
