-- pcn_waits: days from referral to first contact, median and 90th percentile, for every PCN
-- (so a selected PCN is seen against its peers); `selected` marks the filter's PCNs.
-- Referrals without a first contact have no wait and are not counted in people_with_wait.
-- grain: one row per PCN.
-- parameters: $date_from, $date_to (inclusive), $pcns (selected codes; empty = none selected).
with

pcns as (select pcn_code, pcn_name from main.pcns),

waits as (
    select pcn_code, first_contact_date - referral_date as wait_days
    from main.referrals
    where referral_date between $date_from and $date_to
        and first_contact_date is not null
),

per_pcn as (
    select
        pcn_code,
        count(*) as people_with_wait,
        median(wait_days) as median_wait_days,
        quantile_cont(wait_days, 0.9) as p90_wait_days
    from waits
    group by pcn_code
),

final as (
    select
        pcns.pcn_code,
        pcns.pcn_name,
        coalesce(per_pcn.people_with_wait, 0) as people_with_wait,
        per_pcn.median_wait_days,
        per_pcn.p90_wait_days,
        list_contains($pcns, pcns.pcn_code) as selected
    from pcns
    left join per_pcn on per_pcn.pcn_code = pcns.pcn_code
    order by per_pcn.median_wait_days nulls last, pcns.pcn_code
)

select * from final
