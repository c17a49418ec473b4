-- capacity_monthly: for one PCN and one activity, demand against capacity in every month of
-- the period, months without demand included (demand 0) so spare places show too.
-- Demand = onward referrals whose referral is the PCN's, for the activity (with or without a
-- service_id); capacity = monthly places of open services serving the PCN for the activity.
-- grain: one row per calendar month that overlaps the period.
-- parameters: $pcn, $activity, $date_from, $date_to (inclusive, on the onward date).
with

referrals as (
    select referral_id
    from main.referrals
    where pcn_code = $pcn
),

onward_referrals as (
    select referral_id, onward_date, result
    from main.onward_referrals
    where activity = $activity and onward_date between $date_from and $date_to
),

services as (
    select monthly_capacity
    from main.services
    where status = 'open' and pcn_code = $pcn and activity = $activity
),

calendar as (
    select month::date as month
    from range(date_trunc('month', $date_from::date), $date_to::date + 1, interval 1 month)
        as months (month)
),

demand_per_month as (
    select
        date_trunc('month', onward_referrals.onward_date) as month,
        count(*) as demand,
        count(*) filter (where is_unmet(result)) as unmet
    from onward_referrals
    inner join referrals using (referral_id)
    group by all
),

capacity as (
    select coalesce(sum(monthly_capacity), 0) as capacity from services
),

final as (
    select
        calendar.month,
        coalesce(demand_per_month.demand, 0) as demand,
        capacity.capacity,
        coalesce(demand_per_month.demand, 0) - capacity.capacity as gap,
        coalesce(demand_per_month.unmet, 0) as unmet
    from calendar
    cross join capacity
    left join demand_per_month using (month)
    order by calendar.month
)

select * from final
