-- outcome_people_monthly: outcome_facts counted in people (outcome_people_sums of each
-- referral's outcome_person_flags) per referral month and PCN; outcome_followup reads a
-- period's whole months from here and counts its part months from the facts with the same
-- macros. Each referral has one month and one PCN, so the cells add up exactly.
-- Built for the cells in the temp table _derived_cells (referral_month, pcn_code): every cell
-- on a rebuild, the cells a load changed on a refresh (dashboard.data.derived).
-- grain: one row per referral month and PCN with a baseline score.
-- parameters: none.
with

cells as (select referral_month, pcn_code from _derived_cells),

outcomes as (
    select referral_month, pcn_code, referral_id, measure, baseline_score, followup_score
    from main.outcome_facts
    where baseline_score is not null
        and (referral_month, pcn_code) in (select (referral_month, pcn_code) from cells)
),

people as (
    select
        referral_month,
        pcn_code,
        outcome_person_flags(measure, baseline_score, followup_score) as flags
    from outcomes
    group by referral_month, pcn_code, referral_id
),

summed as (
    select
        referral_month,
        pcn_code,
        outcome_people_sums(flags.followed_up, flags.star_paired, flags.star_improved) as sums
    from people
    group by referral_month, pcn_code
),

final as (
    select referral_month, pcn_code, sums.*
    from summed
)

select * from final
