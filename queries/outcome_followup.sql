-- outcome_followup: outcomes counted in people (referrals), not domain scores, per PCN:
-- referrals with a baseline score on any measure, those of them with a paired follow-up on at
-- least one, and for the Wellbeing Star those with a paired score and those whose score rose
-- in at least one domain (the Rotherham evaluation's measure of people who improved; macros
-- outcome_person_flags and outcome_people_sums). Each referral has one PCN, so any set of
-- PCNs adds up exactly. Outcomes follow the period through their referral (referral date in
-- the period), as in outcome_change.
-- For speed, the period's whole months come pre-counted from outcome_people_monthly; the part
-- months are counted here from the facts with the same macros.
-- grain: one row per PCN with a baseline score in the period.
-- parameters: $date_from, $date_to (inclusive).
with

bounds as (select month_from, month_to from period_months($date_from, $date_to)),

monthly as (
    select outcome_people_monthly.* exclude (referral_month)
    from main.outcome_people_monthly, bounds
    where referral_month between bounds.month_from and bounds.month_to
),

outcomes as (
    select pcn_code, referral_id, measure, baseline_score, followup_score
    from main.outcome_facts, bounds
    where referral_date between $date_from and $date_to
        and baseline_score is not null
        and referral_month not between bounds.month_from and bounds.month_to
),

people as (
    select pcn_code, outcome_person_flags(measure, baseline_score, followup_score) as flags
    from outcomes
    group by pcn_code, referral_id
),

part_months as (
    select
        pcn_code,
        outcome_people_sums(flags.followed_up, flags.star_paired, flags.star_improved) as sums
    from people
    group by pcn_code
),

parts as (
    select * from monthly
    union all by name
    select pcn_code, sums.* from part_months
),

final as (
    select
        pcn_code,
        cast(sum(people_with_baseline) as bigint) as people_with_baseline,
        cast(sum(n) as bigint) as n,
        cast(sum(star_people) as bigint) as star_people,
        cast(sum(star_improved_people) as bigint) as star_improved_people
    from parts
    group by pcn_code
    order by pcn_code
)

select * from final
