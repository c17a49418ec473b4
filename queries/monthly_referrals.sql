-- monthly_referrals: referrals by calendar month, with the annualised rate per 1,000.
-- grain: one row per month in the period that has referrals.
-- parameters: $date_from, $date_to (inclusive), $pcns (empty = whole ICB).
with

pcns as (
    select * from main.pcns
    where len($pcns) = 0 or list_contains($pcns, pcn_code)
),

referrals as (
    select referral_date from main.referrals
    where referral_date between $date_from and $date_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
),

per_month as (
    select date_trunc('month', referral_date)::date as month, count(*) as referrals
    from referrals
    group by month
),

final as (
    select
        month,
        referrals,
        referrals * 1000.0 / (select sum(list_size) from pcns) * 12 as rate_per_1000
    from per_month
    order by month
)

select * from final
