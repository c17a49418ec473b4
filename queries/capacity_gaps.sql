-- capacity_gaps: VCSE demand against capacity per PCN and activity over the period.
-- Per PCN x activity x month: demand = onward referrals (with or without a service_id), the
-- PCN being the referral's and the activity the onward referral's; places = monthly places
-- of open services serving that PCN for that activity (0 where none).
-- For the period: demand sums its months; capacity = the places offered in every month of
-- it (monthly places x the calendar months the period touches); gap = demand - capacity,
-- which nets quiet months against busy ones; shortfall = the sum over the months with demand
-- of max(0, demand - places), so spare places in a quiet month never cancel a busy month's
-- shortfall; unmet = waitlisted, declined for no capacity, or sent to a closed service (macro
-- is_unmet); months_short = months whose demand exceeded the places. Whole months come
-- pre-summed from onward_monthly, the part months are summed here from onward_facts with the
-- same macro (onward_sums).
-- grain: one row per PCN x activity with demand in the period.
-- parameters: $date_from, $date_to (inclusive, on the onward date), $pcns (empty = whole ICB,
--             applied through the referral), $activity_groups (list of [activity, NIHR group]
--             pairs, from contract.ACTIVITY_GROUP).
with

bounds as (select * from period_months($date_from, $date_to)),

onward_referrals as (
    -- the period's part months, from onward_facts (the referral's PCN carried, onward
    -- referrals whose referral is loaded), summed as onward_monthly sums whole months
    select
        pcn_code,
        activity,
        onward_month - bounds.first_month as month_number,
        result
    from main.onward_facts, bounds
    where onward_date between $date_from and $date_to
        and onward_month not between bounds.month_from and bounds.month_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
),

part_months as (
    select pcn_code, activity, month_number, onward_sums(result) as sums
    from onward_referrals
    group by pcn_code, activity, month_number
),

services as (
    select pcn_code, activity, monthly_capacity
    from main.services
    where status = 'open'
),

pcns as (select pcn_code, pcn_name from main.pcns),

activity_groups as (
    select pair[1] as activity, pair[2] as nihr_group
    from unnest($activity_groups::varchar[][]) as groups (pair)
),

demand_per_month as (
    -- whole months come pre-summed from onward_monthly
    select pcn_code, activity, onward_month - bounds.first_month as month_number, demand, unmet
    from main.onward_monthly, bounds
    where onward_month between bounds.month_from and bounds.month_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
    union all by name
    select pcn_code, activity, month_number, sums.*
    from part_months
),

capacity_per_month as (
    select pcn_code, activity, sum(monthly_capacity) as capacity
    from services
    group by all
),

months as (
    select
        demand_per_month.*,
        coalesce(capacity_per_month.capacity, 0) as capacity
    from demand_per_month
    left join capacity_per_month using (pcn_code, activity)
),

period as (
    select month_number($date_to::date) - first_month + 1 as months from bounds
),

pairs as (
    select
        pcn_code,
        activity,
        sum(demand) as demand,
        any_value(capacity) * any_value(period.months) as capacity,
        sum(demand) - any_value(capacity) * any_value(period.months) as gap,
        sum(greatest(demand - capacity, 0)) as shortfall,
        sum(unmet) as unmet,
        count(*) as months_with_demand,
        count(*) filter (where demand > capacity) as months_short
    from months, period
    group by pcn_code, activity
),

final as (
    select
        pairs.pcn_code,
        coalesce(pcns.pcn_name, pairs.pcn_code) as pcn_name,
        pairs.activity,
        coalesce(activity_groups.nihr_group, 'other') as nihr_group,
        pairs.demand,
        pairs.capacity,
        pairs.gap,
        pairs.shortfall,
        case when pairs.capacity > 0 then pairs.demand * 100.0 / pairs.capacity end
            as demand_pct_of_capacity,
        pairs.unmet,
        pairs.months_with_demand,
        pairs.months_short
    from pairs
    left join pcns using (pcn_code)
    left join activity_groups using (activity)
    order by pairs.gap desc, pairs.pcn_code, pairs.activity
)

select * from final
