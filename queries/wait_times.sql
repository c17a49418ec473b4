-- wait_times: time to first contact for every referral of the period, as counts per PCN,
-- day and outcome, for Kaplan-Meier estimates per PCN (macro referral_waits: a referral with
-- a first contact is an event at its wait; one without is censored at its end date, else at
-- the data's date). Referrals of PCNs missing from the reference list are left out, as from
-- every referral figure. The selection's own estimate comes from wait_times_total.
-- grain: one row per PCN, days and contacted (true = first contact, false = censored).
-- parameters: $date_from, $date_to (inclusive).
with

waits as (select * from referral_waits($date_from, $date_to)),

final as (
    select
        pcn_code,
        days,
        contacted,
        count(*) as referrals,
        count(*) filter (where still_waiting) as still_waiting
    from waits
    group by all
    order by pcn_code, days, contacted
)

select * from final
