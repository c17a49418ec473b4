-- capacity_funding_ending: services still running whose funding ends within 6 months of the
-- data's date (from $data_date, the latest date in the loaded extracts, query data_date, to 6
-- months after it), with the onward referrals in the period that depend on them. Measured
-- from the data, not the period: funding that ended in June is not upcoming in December.
-- A service is listed when it serves a selected PCN or received onward referrals from one.
-- grain: one row per open or paused service with a funding end date in the window.
-- parameters: $date_from, $date_to (inclusive, on the onward date), $pcns (empty = whole ICB;
--             onward referrals follow it through their referral), $data_date.
with

referrals as (
    select referral_id
    from main.referrals
    where list_contains($pcns, pcn_code)
),

services as (
    select *
    from main.services
    where status <> 'closed'
        and funding_end_date between $data_date::date and $data_date::date + interval 6 month
),

onward_referrals as (
    select service_id
    from main.onward_referrals
    where onward_date between $date_from and $date_to
        and service_id in (select service_id from services)
        and (len($pcns) = 0 or referral_id in (select referral_id from referrals))
),

demand as (
    select service_id, count(*) as demand
    from onward_referrals
    group by service_id
),

final as (
    select
        services.service_id,
        services.provider_name,
        services.activity,
        services.pcn_code,
        services.funding,
        services.funding_end_date,
        services.status,
        services.monthly_capacity,
        coalesce(demand.demand, 0) as demand
    from services
    left join demand using (service_id)
    where len($pcns) = 0 or list_contains($pcns, services.pcn_code) or demand.demand > 0
    order by services.funding_end_date, demand desc, services.service_id
)

select * from final
