{#- Field-level validation in the style of the national collection (DHSC GetDQValues): the
    validation status of each submitted value, Valid, Blank and not mandatory, Blank but
    mandatory, Invalid, or Valid only in Release 1 (a Release 1 value in a Release 2 file).
    Whether a blank is mandatory depends on the event type (seeds/cld_field_rules.csv); an event
    outcome is mandatory only once the event has ended.

    A query over submitted, a relation with the columns of stg_cld__submitted_values that the
    status depends on (release, row_event_type, row_event_has_ended, column_name,
    submitted_value); its other columns pass through, with the field's cld_field_name,
    value_check, is_identifier_check, requirement and validation_status.
    int_cld_field_values_classified classifies every field of every row with it;
    fct_cld_field_quality classifies each distinct value of a file once, with its count of rows,
    since the status depends on nothing else. -#}
{% macro classify_cld_field_values(submitted) %}
with

fields as (

    select * from {{ ref('cld_fields') }}

),

-- Each field once under its raw column and once under its identifier-check column, so that a
-- submitted column finds its field by an equality (hash) join; "column in (raw, check)" was
-- planned as a nested loop over every field of every event.
field_columns as (

    select fields.*, fields.raw_column as column_name, false as is_identifier_check
    from fields
    where fields.raw_column is not null
    union all
    select fields.*, fields.check_column as column_name, true as is_identifier_check
    from fields
    where fields.check_column is not null

),

rules as (

    select * from {{ ref('cld_field_rules') }}

),

code_list as (

    select * from {{ ref('cld_code_list') }}

),

described as (

    select
        submitted.*,
        field_columns.cld_field_name,
        field_columns.value_check,
        field_columns.is_identifier_check,
        coalesce(rules.requirement, 'optional') as requirement,
        nullif(trim(submitted.submitted_value), '') is null
        or (
            field_columns.is_identifier_check
            and submitted.submitted_value = 'blank'
        ) as is_blank
    from {{ submitted }} as submitted
    inner join field_columns
        on submitted.column_name = field_columns.column_name
    left join rules
        on field_columns.cld_field_name = rules.cld_field_name
            and submitted.row_event_type = rules.event_type

)

select
    described.* exclude (is_blank),
    case
        when described.is_blank and (
                described.requirement = 'mandatory'
                or (
                    described.requirement = 'mandatory_if_ended'
                    and described.row_event_has_ended
                )
            ) then 'Blank but mandatory'
        when described.is_blank then 'Blank and not mandatory'
        when described.is_identifier_check
            then
                case when described.submitted_value = 'valid' then 'Valid' else 'Invalid' end
        when described.value_check = 'code_list'
            then
                case
                    when exists (
                            select 1 from code_list
                            where code_list.cld_field_name = described.cld_field_name
                                and code_list.release = described.release
                                and code_list.code_value = described.submitted_value
                        ) then 'Valid'
                    when described.release = 'R2' and exists (
                            select 1 from code_list
                            where code_list.cld_field_name = described.cld_field_name
                                and code_list.release = 'R1'
                                and code_list.code_value = described.submitted_value
                        ) then 'Valid only in Release 1'
                    else 'Invalid'
                end
        when described.value_check = 'date'
            then
                case when try_strptime(described.submitted_value, '%Y-%m-%d') is not null
                        then 'Valid'
                    else 'Invalid'
                end
        when described.value_check = 'number'
            then
                case when try_cast(described.submitted_value as decimal(18, 2)) is not null
                        then 'Valid'
                    else 'Invalid'
                end
        else 'Valid'
    end as validation_status
from described
{% endmacro %}

{#- The fields of submitted classified (classify_cld_field_values), each with the value as it may
    be shown: only when it is a code of some code list (a Release 1 value, or the next field's
    value in a shifted row). Anything else, a name keyed into a coded field or a date of birth in
    the wrong form, may identify someone. int_cld_field_values_classified applies it to every
    field of every row; fct_cld_field_quality_failure to the fields that can fail only. -#}
{% macro classify_cld_field_values_reportably(submitted) %}
with

classified as (

    {{ classify_cld_field_values(submitted) }}

),

-- Every code of every list, trimmed and lower-cased, as one list value: whether a value is
-- reportable is tested against it only on the rows that reach that branch of the case, and not
-- at all by a reader that leaves the column out. "in (select ...)" was planned as a mark join
-- over every field of every event, whether the column was read or not.
reportable_codes as (

    select list(distinct lower(trim(code_value))) as code_values
    from {{ ref('cld_code_list') }}

)

select
    classified.event_row_id,
    classified.council_code,
    classified.release,
    classified.load_id,
    classified.source_file,
    classified.source_row_number,
    classified.row_event_type as event_type,
    classified.row_event_reference as event_reference,
    classified.cld_field_name,
    classified.value_check,
    classified.requirement,
    classified.validation_status,
    case
        when not classified.is_identifier_check and classified.value_check = 'code_list'
            and list_contains(reportable_codes.code_values, lower(trim(classified.submitted_value)))
            then classified.submitted_value
    end as reportable_value
from classified
cross join reportable_codes
{% endmacro %}
