-- outcome_followup: follow-up completion in people (referrals), not domain scores, per PCN:
-- referrals with a baseline score on any measure, and those of them with a paired follow-up
-- on at least one. Each referral has one PCN, so any set of PCNs adds up exactly. Outcomes
-- follow the period through their referral (referral date in the period), as in
-- outcome_change.
-- grain: one row per PCN with a baseline score in the period.
-- parameters: $date_from, $date_to (inclusive).
with

scored as (
    select pcn_code, referral_id, bool_or(followup_score is not null) as followed_up
    from main.outcome_facts
    where referral_date between $date_from and $date_to
        and baseline_score is not null
    group by pcn_code, referral_id
),

final as (
    select
        pcn_code,
        count(*) as people_with_baseline,
        count(*) filter (where followed_up) as n
    from scored
    group by pcn_code
    order by pcn_code
)

select * from final
