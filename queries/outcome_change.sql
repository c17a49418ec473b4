-- outcome_change: paired baseline/follow-up change per PCN, measure and domain, as sums from
-- which any set of PCNs (the selection, the whole ICB) adds up exactly: means, shares and
-- standard deviations in dashboard.core.outcomes. One scan serves the selection and the ICB.
-- Outcomes follow the period through their referral (referral date in the period); the PCN is
-- the referral's (both carried on outcome_facts, which holds only outcomes whose referral is
-- loaded, as an inner join would). SWEMWBS raw totals become metric scores (the Rasch table) before anything
-- else. "improvement" is the change in the better direction: for ONS4 anxiety, a fall.
-- For speed, the period's whole months of Wellbeing Star and ONS4 (figures that need no
-- parameter) come pre-summed from outcome_monthly; the edges and SWEMWBS/WEMWBS from the facts.
-- grain: one row per PCN, measure and domain.
-- parameters: $date_from, $date_to (inclusive), $swemwbs_metric (metric score of raw 7..35),
--   $swemwbs_threshold, $wemwbs_threshold (meaningful change, points).
with

bounds as (
    -- the first and last whole calendar months of the period, as year * 12 + month - 1
    select
        year($date_from::date) * 12 + month($date_from::date) - 1
        + (case when day($date_from::date) = 1 then 0 else 1 end) as month_from,
        year($date_to::date) * 12 + month($date_to::date) - 1
        - (case when month($date_to::date + 1) = month($date_to::date) then 1 else 0 end)
            as month_to
),

monthly as (
    select
        pcn_code, measure, domain, people_with_baseline, n, sum_baseline, sum_followup,
        sum_improvement, sumsq_improvement, n_improved, n_worse, 0 as n_meaningful,
        low_baseline_n, low_baseline_improved, low_baseline_sum_improvement,
        low_baseline_sumsq_improvement
    from main.outcome_monthly, bounds
    where referral_month between bounds.month_from and bounds.month_to
),

outcomes as (
    select pcn_code, measure, domain, baseline_score, followup_score
    from main.outcome_facts, bounds
    where referral_date between $date_from and $date_to
        and baseline_score is not null
        and (
            measure not in ('wellbeing_star', 'ons4')
            or referral_month not between bounds.month_from and bounds.month_to
        )
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

row_sums as (
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
        union all
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
