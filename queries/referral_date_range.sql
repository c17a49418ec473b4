-- referral_date_range: the first and last referral dates loaded, for the default period.
-- grain: one row.
-- parameters: none.
with

referrals as (select * from main.referrals),

final as (
    select
        min(referral_date) as first_referral,
        max(referral_date) as last_referral
    from referrals
)

select * from final
