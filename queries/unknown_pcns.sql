-- unknown_pcns: referrals whose PCN code is missing from the reference list (pcns extract).
-- They have no list size, so they never enter a rate or any referral figure; the Data page
-- lists them so the reference list can be completed.
-- grain: one row per unknown PCN code.
-- parameters: none.
with

referrals as (select pcn_code, referral_date from main.referrals),

unknown as (
    select referrals.*
    from referrals
    anti join main.pcns on main.pcns.pcn_code = referrals.pcn_code
),

final as (
    select
        pcn_code,
        count(*) as referrals,
        min(referral_date) as first_referral,
        max(referral_date) as last_referral
    from unknown
    group by pcn_code
    order by referrals desc, pcn_code
)

select * from final
