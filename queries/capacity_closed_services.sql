-- capacity_closed_services: closed services that onward referrals in the period still went to.
-- grain: one row per closed service with onward referrals in the period.
-- parameters: $date_from, $date_to (inclusive, on the onward date), $pcns (empty = whole ICB,
--             applied through the referral).
with

referrals as (
    select referral_id
    from main.referrals
    where list_contains($pcns, pcn_code)
),

services as (
    select service_id, provider_name, activity, pcn_code
    from main.services
    where status = 'closed'
),

onward_referrals as (
    select service_id, onward_date, result
    from main.onward_referrals
    where onward_date between $date_from and $date_to
        and service_id in (select service_id from services)
        and (len($pcns) = 0 or referral_id in (select referral_id from referrals))
),

received as (
    select
        service_id,
        count(*) as onward_referrals,
        count(*) filter (where result = 'service_closed') as turned_away,
        max(onward_date) as last_onward_date
    from onward_referrals
    group by service_id
),

final as (
    select services.*, received.onward_referrals, received.turned_away, received.last_onward_date
    from services
    inner join received using (service_id)
    order by received.onward_referrals desc, services.service_id
)

select * from final
