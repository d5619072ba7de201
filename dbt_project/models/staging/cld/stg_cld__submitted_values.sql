-- Every submitted field of every loaded row, one row per field, for field-level validation.
-- Only a reshape of the source: kept fields carry the value as submitted; identifying fields
-- carry the check status the loader recorded before hashing them (the value itself is gone).
-- One select per submitted column, not an unpivot: a reader's filter on a column reaches the scan
-- of that column's rows (unpivoting the 49 columns of 1.7 M rows cost 1.6 CPU s to count, this
-- 0.4).
-- depends_on: {{ source('cld', 'cld_events') }}
{% for column in cld_submitted_columns() -%}
    select {{ cld_submitted_value_of(column) }}
    from {{ source('cld', 'cld_events') }}
    {% if not loop.last %}union all
    {% endif %}
{%- endfor %}
