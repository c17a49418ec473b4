-- outcome_facts: every outcome whose referral is loaded, with the referral's date, PCN and
-- month. Outcomes without a loaded referral are left out, as an inner join leaves them.
-- A refresh keeps the rows of the referrals a load changed (dashboard.data.derived).
-- grain: one row per outcome (referral, measure and domain) whose referral is loaded.
-- parameters: none.
with

outcomes as (
    select referral_id, measure, domain, baseline_score, followup_score
    from main.outcomes
),

referrals as (select referral_id, referral_date, pcn_code from main.referrals),

final as (
    select
        outcomes.referral_id,
        outcomes.measure,
        outcomes.domain,
        referrals.referral_date,
        referrals.pcn_code,
        outcomes.baseline_score,
        outcomes.followup_score,
        month_number(referrals.referral_date) as referral_month
    from outcomes
    inner join referrals using (referral_id)
)

select * from final
