{#- All of a model's row checks in one data test: one row per check that some rows fail, with its
    count of failing rows; the test fails if there are any. Every data test is a dbt node with a
    fixed cost every night (docs/benchmarks.md), so a model (seed, source table) has one of these
    rather than a test per check. A failure row names the check (its kind, and the columns or
    expression it reads, all written in the project's YAML), never a value of the model.

    not_null: columns that must not be null.
    unique: keys that no two rows share, each a column or a list of columns; failing rows are
        the rows that share their key with another. A one-column key ignores nulls (as dbt's
        unique test); in a key of several columns a null is a value like any other.
    accepted_values: each column's non-null values must be in its own list (strings are quoted,
        numbers and booleans are not).
    expressions: boolean SQL expressions that must be true (false or null fails).
    code_list, fields_by_column: each column's non-null values must be codes of its own field in
        the code-list seed (columns field, code). The loaders quarantine such rows, so any here
        is a loader fault.

    Every check but unique is counted in one scan of the model; each unique key is one aggregate. -#}
{% test row_checks(
    model, not_null=[], unique=[], accepted_values={}, expressions=[],
    code_list=none, fields_by_column={}
) %}

{%- set checks = [] %}
{%- for column in not_null %}
    {%- do checks.append(('not null', column, column ~ ' is null')) %}
{%- endfor %}
{%- for column, values in accepted_values.items() %}
    {%- set listed = [] %}
    {%- for value in values %}
        {%- do listed.append("'" ~ (value | replace("'", "''")) ~ "'" if value is string else value | string) %}
    {%- endfor %}
    {%- do checks.append(('accepted values', column, column ~ ' not in (' ~ listed | join(', ') ~ ')')) %}
{%- endfor %}
{%- for expression in expressions %}
    {%- do checks.append(('expression', expression, 'not coalesce((' ~ expression ~ '), false)')) %}
{%- endfor %}
{%- for column, field in fields_by_column.items() %}
    {%- do checks.append(('code list', column ~ ' (field ' ~ field ~ ')',
        column ~ ' is not null and not list_contains(codes.codes_' ~ loop.index
        ~ ', cast(' ~ column ~ ' as varchar))')) %}
{%- endfor %}
{%- set keys = [] %}
{%- for key in unique %}
    {%- do keys.append([key] if key is string else key) %}
{%- endfor %}
{%- if not checks and not keys %}
    {{ exceptions.raise_compiler_error("row_checks of " ~ model ~ " lists no check") }}
{%- endif %}

with
{%- if fields_by_column %}

codes as (
    select
    {%- for field in fields_by_column.values() %}
        coalesce(
            list(cast(code as varchar)) filter (where field = '{{ field | replace("'", "''") }}'), []
        ) as codes_{{ loop.index }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from {{ code_list }}
),
{%- endif %}
{%- if checks %}

row_counts as (
    select
    {%- for check in checks %}
        count(*) filter (where {{ check[2] }}) as failing_rows_{{ loop.index }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
    {%- if fields_by_column %}
        cross join codes
    {%- endif %}
),
{%- endif %}
{%- for key in keys %}

key_{{ loop.index }}_duplicated as (
    select coalesce(sum(occurrences), 0) as failing_rows
    from (
        select count(*) as occurrences
        from {{ model }}
        {%- if key | length == 1 %}
        where {{ key[0] }} is not null
        {%- endif %}
        group by {{ key | join(', ') }}
        having count(*) > 1
    ) as duplicated_keys
),
{%- endfor %}

check_results as (
{%- for kind, checked, condition in checks %}
    select '{{ kind }}' as check_kind, '{{ checked | replace("'", "''") }}' as checked, failing_rows_{{ loop.index }} as failing_rows
    from row_counts
    {%- if not loop.last or keys %}
    union all
    {%- endif %}
{%- endfor %}
{%- for key in keys %}
    select 'unique' as check_kind, '{{ key | join(", ") }}' as checked, failing_rows
    from key_{{ loop.index }}_duplicated
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
)

select check_kind, checked, failing_rows
from check_results
where failing_rows > 0

{% endtest %}
