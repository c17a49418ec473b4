-- outcome_followup: outcomes counted in people (referrals), not domain scores, per PCN:
-- referrals with a baseline score on any measure, those of them with a paired follow-up on at
-- least one, and for the Wellbeing Star those with a paired score and those whose score rose
-- in at least one domain (the Rotherham evaluation's measure of people who improved). Each
-- referral has one PCN, so any set of PCNs adds up exactly. Outcomes follow the period through
-- their referral (referral date in the period), as in outcome_change.
-- grain: one row per PCN with a baseline score in the period.
-- parameters: $date_from, $date_to (inclusive).
with

scored as (
    select
        pcn_code,
        referral_id,
        bool_or(followup_score is not null) as followed_up,
        bool_or(measure = 'wellbeing_star' and followup_score is not null) as star_paired,
        bool_or(measure = 'wellbeing_star' and followup_score > baseline_score) as star_improved
    from main.outcome_facts
    where referral_date between $date_from and $date_to
        and baseline_score is not null
    group by pcn_code, referral_id
),

final as (
    select
        pcn_code,
        count(*) as people_with_baseline,
        count(*) filter (where followed_up) as n,
        count(*) filter (where star_paired) as star_people,
        count(*) filter (where star_improved) as star_improved_people
    from scored
    group by pcn_code
    order by pcn_code
)

select * from final
