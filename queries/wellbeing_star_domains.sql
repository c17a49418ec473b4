-- wellbeing_star_domains: paired Wellbeing Star change per domain, for everyone and for
-- people with a low baseline (2 or less).
-- Outcomes follow the filter through their referral (PCN, and referral date in the period).
-- grain: one row per domain.
-- parameters: $date_from, $date_to (inclusive), $pcns (empty = whole ICB).
with

referrals as (
    select referral_id from main.referrals
    where referral_date between $date_from and $date_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
),

scores as (
    select outcomes.*
    from main.outcomes
    inner join referrals using (referral_id)
    where measure = 'wellbeing_star'
),

paired as (
    select *, followup_score - baseline_score as change
    from scores
    where followup_score is not null
),

with_baseline as (
    select domain, count(*) as people_with_baseline
    from scores
    group by domain
),

per_domain as (
    select
        domain,
        count(*) as n,
        avg(baseline_score) as mean_baseline,
        avg(followup_score) as mean_followup,
        avg(change) as mean_change,
        stddev_samp(change) as sd_change,
        count(*) filter (where change > 0) * 100.0 / count(*) as pct_improved,
        count(*) filter (where baseline_score <= 2) as low_baseline_n,
        count(*) filter (where baseline_score <= 2 and change > 0) * 100.0
            / nullif(count(*) filter (where baseline_score <= 2), 0) as low_baseline_pct_improved
    from paired
    group by domain
),

final as (
    select
        per_domain.*,
        with_baseline.people_with_baseline
    from per_domain
    inner join with_baseline using (domain)
    order by domain
)

select * from final
