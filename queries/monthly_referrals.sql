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

-- Referrals of PCNs missing from the reference list have no list size: left out.
referrals as (
    select referrals.pcn_code, referrals.referral_date
    from main.referrals
    inner join pcns on pcns.pcn_code = referrals.pcn_code
    where referrals.referral_date between $date_from and $date_to
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

per_pcn_month as (
    select pcn_code, date_trunc('month', referral_date)::date as month, count(*) as referrals
    from referrals
    group by all
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
        coalesce(sum(per_pcn_month.referrals), 0) as referrals
    from series
    cross join months
    left join per_pcn_month
        on per_pcn_month.month = months.month
        and (series.pcn_code is null or per_pcn_month.pcn_code = series.pcn_code)
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
