-- referral_kpis: headline referral figures for the filter.
-- grain: one row.
-- parameters: $date_from, $date_to (inclusive), $days, $pcns (empty = whole ICB).
with

pcns as (
    select * from main.pcns
    where len($pcns) = 0 or list_contains($pcns, pcn_code)
),

referrals as (
    select * from main.referrals
    where referral_date between $date_from and $date_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
),

waits as (
    select first_contact_date - referral_date as wait_days
    from referrals
    where first_contact_date is not null
),

final as (
    select
        (select count(*) from referrals) as referrals,
        (select sum(list_size) from pcns) as list_size,
        (select count(*) from referrals) * 1000.0 / (select sum(list_size) from pcns)
            * 365.0 / $days as rate_per_1000,
        (select count(*) from waits) as people_with_wait,
        (select median(wait_days) from waits) as median_wait_days,
        (select quantile_cont(wait_days, 0.9) from waits) as p90_wait_days,
        (select count(*) from referrals where status = 'declined') as declined,
        (select count(*) from referrals where status = 'declined') * 100.0
            / nullif((select count(*) from referrals), 0) as decline_rate_pct
)

select * from final
