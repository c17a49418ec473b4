-- outcome_change_distribution: how many people changed by how much, per measure and domain,
-- in whole points in the better direction (macro improvement: for ONS4 anxiety, a fall counts
-- as positive). SWEMWBS changes are in metric points (Rasch table, macro metric_score). Each
-- bin holds the changes from its whole point up to the next (floor): a 2.7-point change is in
-- the bin from 2, below a meaningful-change threshold of 3, never rounded up across it.
-- Outcomes follow the filter through their referral (PCN, and referral date in the period),
-- both carried on outcome_facts (outcomes whose referral is loaded).
-- grain: one row per measure, domain and whole-point change.
-- parameters: $date_from, $date_to (inclusive), $pcns (empty = whole ICB),
--   $swemwbs_metric (metric score of raw 7..35).
with

-- People counted per pair of scores first: the scores take few values, so the conversions
-- and changes are worked out for each pair, not for each of the period's outcomes.
paired as (
    select measure, domain, baseline_score, followup_score, count(*) as people
    from main.outcome_facts
    where baseline_score is not null and followup_score is not null
        and referral_date between $date_from and $date_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
    group by measure, domain, baseline_score, followup_score
),

changes as (
    select
        measure,
        domain,
        improvement(
            measure,
            domain,
            metric_score(measure, baseline_score, $swemwbs_metric),
            metric_score(measure, followup_score, $swemwbs_metric)
        ) as improvement,
        people
    from paired
),

final as (
    select
        measure,
        domain,
        cast(floor(improvement) as integer) as improvement,
        sum(people)::bigint as people
    from changes
    group by measure, domain, cast(floor(improvement) as integer)
    order by measure, domain, improvement
)

select * from final
