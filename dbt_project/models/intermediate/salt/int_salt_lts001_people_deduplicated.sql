-- SALT LTS001a/b people: one row per council, financial year and person in long-term support
-- during the year (reference §2.5):
--   * setting: the highest setting of any of the person's services in the year (LTS001a);
--   * period-end setting and delivery mechanism: the highest of the services spanning the year
--     end (LTS001b), null when none does;
--   * primary support reason: a known reason beats Unknown (a blank counts as Unknown), then
--     the latest submitted record, then the latest starting service; a remaining tie takes the
--     first reason alphabetically so the result is repeatable (NHSE does not say [U]);
--   * age at the year end; where birth months conflict the oldest age is taken, as ASCOF 3D
--     does (NHSE does not say [U]). Under-18s are excluded (SALT covers adults); people with
--     no known age are kept with age band "Unknown".
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

services as not materialized (

    select * from {{ ref('int_salt_lts_services_prepared') }}
    where {{ councils }}

),

hierarchy as (

    select * from {{ ref('ascof_3d_setting_hierarchy') }}

),

age_bands as (

    select * from {{ ref('ref_age_bands') }}

),

support_reasons_ranked as (

    select
        council_code,
        period_end,
        person_id,
        coalesce(primary_support_reason, 'Unknown') as primary_support_reason,
        row_number() over (
            partition by council_code, period_end, person_id
            order by
                coalesce(primary_support_reason, 'Unknown') = 'Unknown',
                loaded_at desc,
                event_start_date desc,
                primary_support_reason asc
        ) as support_reason_rank
    from services

),

people as (

    select
        council_code,
        period_type,
        period_start,
        period_end,
        person_id,
        min(setting_rank) as setting_rank,
        min(setting_rank) filter (where is_open_at_period_end) as period_end_setting_rank,
        max({{ age_in_years('birth_month', 'period_end') }}) as age_at_period_end
    from services
    group by all

)

select
    people.council_code,
    people.period_type,
    people.period_start,
    people.period_end,
    people.person_id,
    setting.setting,
    people.period_end_setting_rank is not null as is_in_lts_at_period_end,
    period_end_setting.setting as period_end_setting,
    case
        when period_end_setting.setting in ('Nursing', 'Residential') then 'Not applicable'
        when period_end_setting.setting is not null
            then coalesce(period_end_setting.delivery_mechanism, 'Unknown')
    end as period_end_delivery_mechanism,
    support_reasons_ranked.primary_support_reason,
    cast(people.age_at_period_end as integer) as age_at_period_end,
    coalesce(age_bands.age_band, 'Unknown') as age_band
from people
inner join hierarchy as setting
    on people.setting_rank = setting.setting_rank
left join hierarchy as period_end_setting
    on people.period_end_setting_rank = period_end_setting.setting_rank
inner join support_reasons_ranked
    on people.council_code = support_reasons_ranked.council_code
        and people.period_end = support_reasons_ranked.period_end
        and people.person_id = support_reasons_ranked.person_id
        and support_reasons_ranked.support_reason_rank = 1
left join age_bands
    on people.age_at_period_end >= age_bands.min_age
        and (age_bands.max_age is null or people.age_at_period_end <= age_bands.max_age)
where people.age_at_period_end is null
    or people.age_at_period_end >= (select min(min_age) from age_bands)
