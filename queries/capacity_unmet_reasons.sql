-- capacity_unmet_reasons: unmet onward referrals by PCN, activity and why they went unmet
-- (waitlisted, declined for no capacity, sent to a closed service).
-- The PCN is the referral's, the activity the onward referral's.
-- grain: one row per PCN x activity x reason with unmet onward referrals in the period.
-- parameters: $date_from, $date_to (inclusive, on the onward date), $pcns (empty = whole ICB,
--             applied through the referral).
with

referrals as (
    select referral_id, pcn_code
    from main.referrals
    where len($pcns) = 0 or list_contains($pcns, pcn_code)
),

onward_referrals as (
    select referral_id, activity, result
    from main.onward_referrals
    where onward_date between $date_from and $date_to
        and result in ('waitlisted', 'declined_no_capacity', 'service_closed')
),

pcns as (select pcn_code, pcn_name from main.pcns),

final as (
    select
        referrals.pcn_code,
        coalesce(pcns.pcn_name, referrals.pcn_code) as pcn_name,
        onward_referrals.activity,
        onward_referrals.result as reason,
        count(*) as unmet
    from onward_referrals
    inner join referrals using (referral_id)
    left join pcns using (pcn_code)
    group by all
    order by referrals.pcn_code, onward_referrals.activity, reason
)

select * from final
