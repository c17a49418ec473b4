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

onward_referrals as (
    -- the whole ICB: every onward referral of the period, its referral loaded or not
    select service_id, result
    from main.onward_referrals
    where onward_date between $date_from and $date_to
        and len($pcns) = 0
    union all
    -- chosen PCNs: through the referral's PCN, which onward_facts carries (onward referrals
    -- whose referral is loaded); testing each onward referral against the PCNs' referrals
    -- cost a pass over every referral and onward referral, even for the whole ICB
    select service_id, result
    from main.onward_facts
    where onward_date between $date_from and $date_to
        and list_contains($pcns, pcn_code)
),

services as (select service_id, funding from main.services),

-- Counted per service before the join to the services: ~7,000 services, many more onward
-- referrals.
per_service as (
    select
        service_id,
        count(*) as demand,
        count(*) filter (where result in ('attended', 'accepted')) as taken_up
    from onward_referrals
    group by service_id
),

by_funding as (
    select
        case
            when per_service.service_id is null then 'no_service_recorded'
            else coalesce(services.funding, 'unknown_service')
        end as funding,
        sum(demand)::bigint as demand,
        sum(taken_up)::bigint as taken_up
    from per_service
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
