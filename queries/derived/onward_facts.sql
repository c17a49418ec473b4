-- onward_facts: every onward referral whose referral is loaded, with the referral's PCN and
-- the onward month. Onward referrals without a loaded referral are left out.
-- A refresh keeps the rows of the referrals or onward referrals a load changed
-- (dashboard.data.derived).
-- grain: one row per onward referral whose referral is loaded.
-- parameters: none.
with

onward_referrals as (
    select onward_id, referral_id, onward_date, activity, result, service_id
    from main.onward_referrals
),

referrals as (select referral_id, pcn_code from main.referrals),

final as (
    select
        onward_referrals.onward_id,
        onward_referrals.referral_id,
        referrals.pcn_code,
        onward_referrals.onward_date,
        month_number(onward_referrals.onward_date) as onward_month,
        onward_referrals.activity,
        onward_referrals.result,
        onward_referrals.service_id
    from onward_referrals
    inner join referrals using (referral_id)
)

select * from final
