-- referral_coverage: referrals loaded per month, whatever the filter, to show gaps in extracts.
-- grain: one row per month with referrals.
-- parameters: none.
with

referrals as (select referral_date from main.referrals),

-- Counted per day first, on the raw column, then per month: truncating every referral's date
-- costs several times more than counting the days.
per_day as (
    select referral_date, count(*) as referrals
    from referrals
    group by referral_date
),

final as (
    select date_trunc('month', referral_date)::date as month, sum(referrals)::bigint as referrals
    from per_day
    group by month
    order by month
)

select * from final
