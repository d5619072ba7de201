-- ASCOF 3D(1a) and 3D(2a) counts: the denominator is people whose highest setting at the period
-- end is long-term community support; 3D(1a) counts those with self-directed support (direct
-- payment or CASSR-managed personal budget), 3D(2a) those with a direct payment.
-- Breakdowns: the total, and each age band (people of unknown age are in the total only).
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

community_clients as not materialized (

    select * from {{ ref('int_ascof_3d_clients_deduplicated') }}
    where setting = 'Community'
        and {{ councils }}

),

by_breakdown as (

    select
        council_code, period_type, period_start, period_end,
        'Total' as breakdown, person_id, is_self_directed, is_direct_payment
    from community_clients

    union all

    select
        council_code, period_type, period_start, period_end,
        age_band as breakdown, person_id, is_self_directed, is_direct_payment
    from community_clients
    where age_band <> 'Unknown'

),

counted as (

    select
        council_code,
        period_type,
        period_start,
        period_end,
        breakdown,
        -- A person is one row per council and period (the unique test of
        -- int_ascof_3d_clients_deduplicated) and one age band, so rows count people; counting
        -- distinct ids kept three hash sets of them.
        count(*) filter (where is_self_directed) as self_directed_people,
        count(*) filter (where is_direct_payment) as direct_payment_people,
        count(*) as community_people
    from by_breakdown
    group by all

)

select
    council_code, period_type, period_start, period_end, '3D(1a)' as measure_code, breakdown,
    self_directed_people as numerator, community_people as denominator
from counted

union all

select
    council_code, period_type, period_start, period_end, '3D(2a)' as measure_code, breakdown,
    direct_payment_people as numerator, community_people as denominator
from counted
