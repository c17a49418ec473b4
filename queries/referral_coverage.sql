-- referral_coverage: referrals loaded per month, whatever the filter, to show gaps in extracts.
-- grain: one row per month with referrals.
-- parameters: none.
with

referrals as (select referral_date from main.referrals),

final as (
    select date_trunc('month', referral_date)::date as month, count(*) as referrals
    from referrals
    group by month
    order by month
)

select * from final
