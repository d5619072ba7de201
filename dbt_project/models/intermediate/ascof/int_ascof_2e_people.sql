-- ASCOF 2E drill-through: one row per council, period, measure and person counted. Each
-- measure's cohort (age band, and whether only people whose primary support reason is learning
-- disability count) is in seeds/ascof_2e_cohorts.csv; everyone in a cohort is in the
-- denominator, whatever their accommodation status, and the settled are in the numerator.
--
-- Incremental by council (macros/incremental_by_selection.sql): every input below is read
-- for the councils rebuilt tonight only, and every join, window and aggregate is within one
-- council (council_code in each key, or an event_row_id, which belongs to one council's file).
{{ config_incremental_by_council() }}
{%- set councils = councils_to_rebuild() %}
with

clients as (

    select * from {{ ref('int_ascof_2e_clients_classified') }}
    where {{ councils }}

),

cohorts as (

    select * from {{ ref('ascof_2e_cohorts') }}

)

select
    clients.council_code,
    clients.period_type,
    clients.period_start,
    clients.period_end,
    cohorts.measure_code,
    clients.person_id,
    clients.age_band,
    clients.is_settled as in_numerator,
    true as in_denominator
from clients
inner join cohorts
    on clients.age_band = cohorts.age_band
        and (clients.is_learning_disability or not cohorts.learning_disability_only)
