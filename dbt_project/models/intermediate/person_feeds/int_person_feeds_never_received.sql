-- Each council that has never loaded a file of a person-level feed (var feed_file_prefixes),
-- with the reason a measure or KPI row built on that feed gives for having no value. One
-- place for the rule, read by fct_ascof_measure and fct_kpi_monthly.
with

person_feeds as (

    {% for feed, prefix in var('feed_file_prefixes').items() %}
        select '{{ feed }}' as feed, '{{ prefix }}' as file_prefix
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

load_audit as not materialized (

    select * from {{ ref('stg_ops__load_audit') }}

),

-- Every council the warehouse knows, including any that loaded files without being in the seed.
councils as (

    select council_code from {{ ref('ref_councils') }}
    union
    select council_code from load_audit
    where council_code is not null

),

loaded_feeds as (

    select distinct council_code, feed
    from load_audit
    where load_status = 'loaded'

)

select
    councils.council_code,
    person_feeds.feed,
    person_feeds.file_prefix,
    'no ' || person_feeds.file_prefix || ' feed received for this council' as missing_feed_reason
from councils
cross join person_feeds
where not exists (
        select 1 from loaded_feeds
        where loaded_feeds.council_code = councils.council_code
            and loaded_feeds.feed = person_feeds.feed
    )
