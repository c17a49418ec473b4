-- capacity_funding_share: how much of the demand for VCSE activities rests on services that are
-- unfunded or funded for a limited time.
-- Onward referrals in the period, by the funding of the service they went to; those with no
-- service_id, or one not in the services extract, form their own rows. `taken_up` counts the
-- onward referrals the service met (attended or accepted).
-- grain: one row per funding status with onward referrals (funded, time_limited, unfunded,
--        no_service_recorded, unknown_service).
-- parameters: $date_from, $date_to (inclusive, on the onward date), $pcns (empty = whole ICB,
--             applied through the referral).
with

referrals as (
    select referral_id
    from main.referrals
    where list_contains($pcns, pcn_code)
),

onward_referrals as (
    select service_id, result
    from main.onward_referrals
    where onward_date between $date_from and $date_to
        and (len($pcns) = 0 or referral_id in (select referral_id from referrals))
),

services as (select service_id, funding from main.services),

by_funding as (
    select
        case
            when onward_referrals.service_id is null then 'no_service_recorded'
            else coalesce(services.funding, 'unknown_service')
        end as funding,
        count(*) as demand,
        count(*) filter (where result in ('attended', 'accepted')) as taken_up
    from onward_referrals
    left join services using (service_id)
    group by all
),

final as (
    select
        funding,
        demand,
        demand * 100.0 / sum(demand) over () as pct_of_demand,
        taken_up,
        taken_up * 100.0 / nullif(sum(taken_up) over (), 0) as pct_of_taken_up
    from by_funding
    order by
        list_position(
            ['funded', 'time_limited', 'unfunded', 'no_service_recorded', 'unknown_service'],
            funding
        )
)

select * from final
