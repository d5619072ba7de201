-- Kent AH H17 (delayed transfers of care: delayed days, financial year to date) and AH H18 (% of
-- the month's delayed days attributable to social care), from the hospital discharge feed.
--
-- A spell is delayed when its discharge-ready date is before its discharge date. Its delayed
-- days are the days from the ready date to the day before discharge (discharge date minus
-- ready date of them: one per night the patient stayed once ready), and each day counts in the
-- month it falls in, as the NHS DToC SitRep counted delayed days [OUT], not in the discharge
-- month. A delay from 25 March to a discharge on 5 April gives 7 March days and 4 April days.
-- Ready date equal to the discharge date = no delay. The whole spell's delay carries its one
-- recorded responsibility. AH H18's social-care share counts the responsibilities in
-- var('kpi_h18_social_care_responsibilities') (Social Care and Both by default; see the yml).
with

months as not materialized (

    select * from {{ ref('int_kpi_feed_months_enumerated') }}
    where feed = '{{ var("hospital_feed") }}'

),

discharges as (

    select * from {{ ref('int_hospital_discharges_deduplicated') }}

),

delays as (

    select
        council_code,
        discharge_ready_date as first_delayed_day,
        cast(discharge_date - 1 as date) as last_delayed_day,
        coalesce(
            delay_responsibility in (
                {%- for responsibility in var('kpi_h18_social_care_responsibilities') %}
                    '{{ responsibility }}'{% if not loop.last %},{% endif %}
                {%- endfor %}
            ),
            false
        ) as is_social_care
    from discharges
    where discharge_ready_date < discharge_date

),

delay_days as (

    -- Each delay against each month whose financial year to date it touches, with the days it
    -- has in the year to date and in the month itself (0 when it only touches earlier months).
    select
        months.council_code,
        months.month,
        delays.is_social_care,
        datediff(
            'day',
            greatest(delays.first_delayed_day, months.financial_year_start),
            least(delays.last_delayed_day, months.month_end)
        ) + 1 as year_to_date_days,
        greatest(
            datediff(
                'day',
                greatest(delays.first_delayed_day, months.month),
                least(delays.last_delayed_day, months.month_end)
            ) + 1,
            0
        ) as month_days
    from months
    inner join delays
        on months.council_code = delays.council_code
            and months.month_end >= delays.first_delayed_day
            and months.financial_year_start <= delays.last_delayed_day

),

summed as (

    select
        months.council_code,
        months.month,
        coalesce(sum(delay_days.year_to_date_days), 0) as year_to_date_days,
        coalesce(sum(delay_days.month_days), 0) as month_days,
        coalesce(sum(delay_days.month_days) filter (where delay_days.is_social_care), 0)
            as month_social_care_days
    from months
    left join delay_days
        on months.council_code = delay_days.council_code
            and months.month = delay_days.month
    group by months.council_code, months.month

)

select
    cast(council_code as varchar) as council_code,
    cast('AH H17' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('financial_year_to_date' as varchar) as measure_basis,
    cast(year_to_date_days as double) as numerator,
    cast(null as double) as denominator,
    cast(year_to_date_days as double) as value
from summed

union all

select
    cast(council_code as varchar) as council_code,
    cast('AH H18' as varchar) as kpi_ref,
    cast(month as date) as month,
    cast('in_month' as varchar) as measure_basis,
    cast(month_social_care_days as double) as numerator,
    cast(month_days as double) as denominator,
    {{ kpi_ratio('month_social_care_days', 'month_days', 100) }} as value
from summed
