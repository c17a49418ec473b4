-- capacity_by_group: VCSE demand against capacity rolled up to the four NIHR activity groups
-- (advice and guidance, natural world, arts and creativity, sport and exercise; the rest is
-- `other`), summed over the PCN x activity x months that saw demand (as capacity_gaps).
-- grain: one row per NIHR group with demand in the period.
-- parameters: $date_from, $date_to (inclusive, on the onward date), $pcns (empty = whole ICB,
--             applied through the referral), $activity_groups (list of [activity, NIHR group]
--             pairs, from contract.ACTIVITY_GROUP).
with

referrals as (
    select referral_id, pcn_code
    from main.referrals
    where len($pcns) = 0 or list_contains($pcns, pcn_code)
),

onward_referrals as (
    select referral_id, activity, onward_date, result
    from main.onward_referrals
    where onward_date between $date_from and $date_to
),

services as (
    select pcn_code, activity, monthly_capacity
    from main.services
    where status = 'open'
),

activity_groups as (
    select pair[1] as activity, pair[2] as nihr_group
    from unnest($activity_groups::varchar[][]) as groups (pair)
),

demand_per_month as (
    select
        referrals.pcn_code,
        onward_referrals.activity,
        date_trunc('month', onward_referrals.onward_date) as month,
        count(*) as demand,
        count(*) filter (
            where result in ('waitlisted', 'declined_no_capacity', 'service_closed')
        ) as unmet
    from onward_referrals
    inner join referrals using (referral_id)
    group by all
),

capacity_per_month as (
    select pcn_code, activity, sum(monthly_capacity) as capacity
    from services
    group by all
),

months as (
    select
        demand_per_month.*,
        coalesce(capacity_per_month.capacity, 0) as capacity,
        coalesce(activity_groups.nihr_group, 'other') as nihr_group
    from demand_per_month
    left join capacity_per_month using (pcn_code, activity)
    left join activity_groups using (activity)
),

final as (
    select
        nihr_group,
        sum(demand) as demand,
        sum(capacity) as capacity,
        sum(demand) - sum(capacity) as gap,
        sum(unmet) as unmet,
        count(*) filter (where demand > capacity) as months_short,
        count(*) as months_with_demand
    from months
    group by nihr_group
    order by demand desc, nihr_group
)

select * from final
