-- monthly_referrals: referrals a month and the annualised rate per 1,000, for the whole ICB
-- and for each selected PCN, so a PCN's trend is read against the ICB's. Every calendar month
-- the period touches is returned, with 0 where nothing was referred. A month cut by the
-- period is annualised over its days inside the period (macro rate_per_1000_a_year:
-- referrals / list x 1,000 x 365 / days).
-- grain: one row per series (the ICB, then each selected PCN) and month.
-- parameters: $date_from, $date_to (inclusive), $pcns (selected codes; empty = ICB only).
with

pcns as (
    -- the period's list sizes (macro period_list_sizes), the same for each of its months
    select pcns.pcn_code, pcns.pcn_name, lists.list_size
    from main.pcns
    inner join period_list_sizes($date_from, $date_to) as lists using (pcn_code)
),

-- Counted per day on the raw dates, then per month: grouping the referrals by PCN and month
-- (or joining each referral to its PCN) costs several times more. Referrals of PCNs missing
-- from the reference list have no list size: left out.
icb_per_day as (
    select referral_date, count(*) as referrals
    from main.referrals
    semi join pcns on pcns.pcn_code = referrals.pcn_code
    where referral_date between $date_from and $date_to
    group by referral_date
),

selected_per_day as (
    select pcn_code, referral_date, count(*) as referrals
    from main.referrals
    where referral_date between $date_from and $date_to
        and list_contains($pcns, pcn_code)
    group by pcn_code, referral_date
),

months as (
    select
        month_start::date as month,
        greatest(month_start::date, $date_from::date) as first_day,
        least((month_start + interval 1 month)::date - 1, $date_to::date) as last_day
    from generate_series(
        date_trunc('month', $date_from::date), $date_to::date, interval 1 month
    ) as months(month_start)
),

-- The ICB's referrals a month (pcn_code null), and each selected PCN's.
per_series_month as (
    select null::varchar as pcn_code, date_trunc('month', referral_date)::date as month,
        referrals
    from icb_per_day
    union all
    select pcn_code, date_trunc('month', referral_date)::date as month, referrals
    from selected_per_day
),

series as (
    select 0 as series_order, 'ICB' as series, null::varchar as pcn_code,
        sum(list_size) as list_size
    from pcns
    union all
    select 1, pcn_name, pcn_code, list_size
    from pcns
    where list_contains($pcns, pcn_code)
),

series_months as (
    select
        series.series_order,
        series.series,
        series.pcn_code,
        months.month,
        months.last_day - months.first_day + 1 as days,
        series.list_size,
        coalesce(sum(per_series_month.referrals), 0) as referrals
    from series
    cross join months
    left join per_series_month
        on per_series_month.month = months.month
        and per_series_month.pcn_code is not distinct from series.pcn_code
    group by all
),

final as (
    select
        series,
        pcn_code,
        month,
        days,
        list_size,
        referrals,
        rate_per_1000_a_year(referrals, list_size, days) as rate_per_1000
    from series_months
    order by series_order, series, month
)

select * from final
