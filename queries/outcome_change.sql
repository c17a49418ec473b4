-- outcome_change: paired baseline/follow-up change per PCN, measure and domain, as sums from
-- which any set of PCNs (the selection, the whole ICB) adds up exactly: means, shares and
-- standard deviations in dashboard.core.outcomes. One scan serves the selection and the ICB.
-- Outcomes follow the period through their referral (referral date in the period); the PCN is
-- the referral's (both carried on outcome_facts, which holds only outcomes whose referral is
-- loaded, as an inner join would). SWEMWBS raw totals become metric scores (the Rasch table) before anything
-- else. "improvement" is the change in the better direction: for ONS4 anxiety, a fall.
-- grain: one row per PCN, measure and domain.
-- parameters: $date_from, $date_to (inclusive), $swemwbs_metric (metric score of raw 7..35),
--   $swemwbs_threshold, $wemwbs_threshold (meaningful change, points).
with

outcomes as (
    select pcn_code, measure, domain, baseline_score, followup_score
    from main.outcome_facts
    where referral_date between $date_from and $date_to and baseline_score is not null
),

scores as (
    select
        outcomes.pcn_code,
        outcomes.measure,
        outcomes.domain,
        case
            when outcomes.measure = 'swemwbs'
                then list_extract($swemwbs_metric, cast(round(outcomes.baseline_score) as integer) - 6)
            else outcomes.baseline_score
        end as baseline,
        case
            when outcomes.measure = 'swemwbs'
                then list_extract($swemwbs_metric, cast(round(outcomes.followup_score) as integer) - 6)
            else outcomes.followup_score
        end as followup
    from outcomes
),

directed as (
    select
        pcn_code,
        measure,
        domain,
        baseline,
        followup,
        (followup - baseline)
        * (case when measure = 'ons4' and domain = 'anxiety' then -1 else 1 end) as improvement,
        case measure
            when 'swemwbs' then $swemwbs_threshold
            when 'wemwbs' then $wemwbs_threshold
        end as threshold,
        measure = 'wellbeing_star' and baseline <= 2 as low_baseline
    from scores
),

final as (
    select
        pcn_code,
        measure,
        domain,
        count(*) as people_with_baseline,
        count(followup) as n,
        sum(baseline) filter (where followup is not null) as sum_baseline,
        sum(followup) as sum_followup,
        sum(improvement) as sum_improvement,
        sum(improvement * improvement) as sumsq_improvement,
        count(*) filter (where improvement > 0) as n_improved,
        count(*) filter (where improvement < 0) as n_worse,
        count(*) filter (where improvement >= threshold) as n_meaningful,
        count(followup) filter (where low_baseline) as low_baseline_n,
        count(*) filter (where low_baseline and improvement > 0) as low_baseline_improved,
        sum(improvement) filter (where low_baseline) as low_baseline_sum_improvement,
        sum(improvement * improvement) filter (where low_baseline)
            as low_baseline_sumsq_improvement
    from directed
    group by pcn_code, measure, domain
    order by pcn_code, measure, domain
)

select * from final
