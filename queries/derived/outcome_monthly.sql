-- outcome_monthly: outcome_facts summed (outcome_sums) per referral month, PCN, measure and
-- domain, for the outcomes with a baseline that outcome_summed_monthly names (Wellbeing Star,
-- ONS4); outcome_change reads a period's whole months from here and sums its part months from
-- the facts with the same macros.
-- Built for the cells in the temp table _derived_cells (referral_month, pcn_code): every cell
-- on a rebuild, the cells a load changed on a refresh (dashboard.data.derived).
-- grain: one row per referral month, PCN, measure and domain.
-- parameters: none.
with

cells as (select referral_month, pcn_code from _derived_cells),

outcomes as (
    select referral_month, pcn_code, measure, domain, baseline_score, followup_score
    from main.outcome_facts
    where baseline_score is not null
        and outcome_summed_monthly(measure)
        and (referral_month, pcn_code) in (select (referral_month, pcn_code) from cells)
),

directed as (
    select
        referral_month,
        pcn_code,
        measure,
        domain,
        baseline_score as baseline,
        followup_score as followup,
        improvement(measure, domain, baseline_score, followup_score) as improvement,
        low_baseline(measure, baseline_score) as low_baseline
    from outcomes
),

summed as (
    select
        referral_month,
        pcn_code,
        measure,
        domain,
        outcome_sums(baseline, followup, improvement, low_baseline) as sums
    from directed
    group by referral_month, pcn_code, measure, domain
),

final as (
    select referral_month, pcn_code, measure, domain, sums.*
    from summed
)

select * from final
