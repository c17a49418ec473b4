-- outcome_change: paired baseline/follow-up change per PCN, measure and domain, as sums from
-- which any set of PCNs (the selection, the whole ICB) adds up exactly: means, shares and
-- standard deviations in dashboard.measures.outcomes. One scan serves the selection and the
-- ICB. Outcomes follow the period through their referral (referral date in the period); the
-- PCN is the referral's (both carried on outcome_facts, which holds only outcomes whose
-- referral is loaded, as an inner join would). SWEMWBS raw totals become metric scores (the
-- Rasch table, macro metric_score) before anything else. "improvement" is the change in the
-- better direction (macro improvement: for ONS4 anxiety, a fall).
-- For speed, the period's whole months of Wellbeing Star and ONS4 (figures that need no
-- parameter) come pre-summed from outcome_monthly, and their part months are summed here from
-- outcome_facts; SWEMWBS/WEMWBS are summed here from outcome_total_facts (their rows only,
-- narrow), all with the same macro (outcome_sums).
-- grain: one row per PCN, measure and domain.
-- parameters: $date_from, $date_to (inclusive), $swemwbs_metric (metric score of raw 7..35),
--   $swemwbs_threshold, $wemwbs_threshold (meaningful change, points).
with

bounds as (select month_from, month_to from period_months($date_from, $date_to)),

monthly as (
    select outcome_monthly.* exclude (referral_month), 0 as n_meaningful
    from main.outcome_monthly, bounds
    where referral_month between bounds.month_from and bounds.month_to
),

part_months as (
    select pcn_code, measure, domain, baseline_score, followup_score
    from main.outcome_facts
    where in_part_month(referral_date, $date_from, $date_to)
        and baseline_score is not null
        and outcome_summed_monthly(measure)
),

totals as (
    select pcn_code, measure, domain, baseline_score, followup_score
    from main.outcome_total_facts
    where referral_date between $date_from and $date_to
),

outcomes as (
    select * from part_months
    union all
    select * from totals
),

scores as (
    select
        pcn_code,
        measure,
        domain,
        metric_score(measure, baseline_score, $swemwbs_metric) as baseline,
        metric_score(measure, followup_score, $swemwbs_metric) as followup
    from outcomes
),

directed as (
    select
        pcn_code,
        measure,
        domain,
        baseline,
        followup,
        improvement(measure, domain, baseline, followup) as improvement,
        case measure
            when 'swemwbs' then $swemwbs_threshold
            when 'wemwbs' then $wemwbs_threshold
        end as threshold,
        low_baseline(measure, baseline) as low_baseline
    from scores
),

summed as (
    select
        pcn_code,
        measure,
        domain,
        outcome_sums(baseline, followup, improvement, low_baseline) as sums,
        count(*) filter (where improvement >= threshold) as n_meaningful
    from directed
    group by pcn_code, measure, domain
),

row_sums as (
    select pcn_code, measure, domain, sums.*, n_meaningful
    from summed
),

parts as (
    -- counts as doubles (exact far beyond any count here): summing them is twice as fast as
    -- summing bigints, whose sums widen to 128 bits
    select
        pcn_code, measure, domain,
        people_with_baseline::double as people_with_baseline, n::double as n,
        sum_baseline, sum_followup, sum_improvement, sumsq_improvement,
        n_improved::double as n_improved, n_worse::double as n_worse,
        n_meaningful::double as n_meaningful, low_baseline_n::double as low_baseline_n,
        low_baseline_improved::double as low_baseline_improved,
        low_baseline_sum_improvement, low_baseline_sumsq_improvement
    from (
        select * from monthly
        union all by name
        select * from row_sums
    )
),

final as (
    select
        pcn_code,
        measure,
        domain,
        cast(sum(people_with_baseline) as bigint) as people_with_baseline,
        cast(sum(n) as bigint) as n,
        sum(sum_baseline) as sum_baseline,
        sum(sum_followup) as sum_followup,
        sum(sum_improvement) as sum_improvement,
        sum(sumsq_improvement) as sumsq_improvement,
        cast(sum(n_improved) as bigint) as n_improved,
        cast(sum(n_worse) as bigint) as n_worse,
        cast(sum(n_meaningful) as bigint) as n_meaningful,
        cast(sum(low_baseline_n) as bigint) as low_baseline_n,
        cast(sum(low_baseline_improved) as bigint) as low_baseline_improved,
        sum(low_baseline_sum_improvement) as low_baseline_sum_improvement,
        sum(low_baseline_sumsq_improvement) as low_baseline_sumsq_improvement
    from parts
    group by pcn_code, measure, domain
    order by pcn_code, measure, domain
)

select * from final
