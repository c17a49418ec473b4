-- capacity_by_activity: onward referrals (demand) against places at open services
-- (capacity) over the period, by activity.
-- Demand follows the filter through the referral's PCN and the onward date; capacity is the
-- monthly places of open services serving the filtered PCNs, times the months in the period.
-- grain: one row per activity with demand or capacity.
-- parameters: $date_from, $date_to (inclusive), $pcns (empty = whole ICB).
with

referrals as (
    select referral_id, pcn_code from main.referrals
    where len($pcns) = 0 or list_contains($pcns, pcn_code)
),

onward as (
    select onward_referrals.*
    from main.onward_referrals
    inner join referrals using (referral_id)
    where onward_date between $date_from and $date_to
),

demand as (
    select
        activity,
        count(*) as demand,
        count(*) filter (
            where result in ('waitlisted', 'declined_no_capacity', 'service_closed')
        ) as unmet
    from onward
    group by activity
),

months as (
    select count(*) as months
    from range(date_trunc('month', $date_from::date), $date_to::date + 1, interval 1 month)
),

capacity as (
    select activity, sum(monthly_capacity) * (select months from months) as capacity
    from main.services
    where status = 'open'
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
    group by activity
),

final as (
    select
        coalesce(demand.activity, capacity.activity) as activity,
        coalesce(demand.demand, 0) as demand,
        coalesce(capacity.capacity, 0) as capacity,
        coalesce(demand.unmet, 0) as unmet
    from demand
    full outer join capacity on capacity.activity = demand.activity
    order by demand desc, activity
)

select * from final
