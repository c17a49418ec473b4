-- capacity_unmet_reasons: unmet onward referrals by PCN, activity and why they went unmet
-- (waitlisted, declined for no capacity, sent to a closed service: macro is_unmet).
-- The PCN is the referral's, the activity the onward referral's.
-- grain: one row per PCN x activity x reason with unmet onward referrals in the period.
-- parameters: $date_from, $date_to (inclusive, on the onward date), $pcns (empty = whole ICB,
--             applied through the referral).
with

onward_referrals as (
    -- onward_facts carries the referral's PCN (onward referrals whose referral is loaded)
    select pcn_code, activity, result
    from main.onward_facts
    where onward_date between $date_from and $date_to
        and is_unmet(result)
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
),

pcns as (select pcn_code, pcn_name from main.pcns),

-- Counted before the PCN names are joined: a name for each of the counts, not for each
-- onward referral.
counts as (
    select pcn_code, activity, result as reason, count(*) as unmet
    from onward_referrals
    group by pcn_code, activity, result
),

final as (
    select
        counts.pcn_code,
        coalesce(pcns.pcn_name, counts.pcn_code) as pcn_name,
        counts.activity,
        counts.reason,
        counts.unmet
    from counts
    left join pcns using (pcn_code)
    order by counts.pcn_code, counts.activity, counts.reason
)

select * from final
