-- wait_times: time to first contact for every referral of the period, as counts per PCN,
-- day and outcome, for Kaplan-Meier estimates. A referral with a first contact is an event at
-- its wait; one without is censored: at its end date when it closed without contact, else at
-- the data's date (the latest referral, contact or end date loaded), so people still waiting
-- count for as long as they have waited instead of vanishing. Referrals of PCNs missing from
-- the reference list are left out, as from every referral figure.
-- grain: one row per PCN, days and contacted (true = first contact, false = censored).
-- parameters: $date_from, $date_to (inclusive).
with

pcns as (select pcn_code from main.pcns),

referrals as (
    select pcn_code, referral_date, first_contact_date, end_date
    from main.referrals
    where referral_date between $date_from and $date_to
),

data_date as (
    select greatest(max(referral_date), max(first_contact_date), max(end_date)) as as_of
    from main.referrals
),

waits as (
    select
        referrals.pcn_code,
        referrals.first_contact_date is not null as contacted,
        referrals.first_contact_date is null and referrals.end_date is null as still_waiting,
        case
            when referrals.first_contact_date is not null
                then referrals.first_contact_date - referrals.referral_date
            when referrals.end_date is not null then referrals.end_date - referrals.referral_date
            else data_date.as_of - referrals.referral_date
        end as days
    from referrals
    inner join pcns on pcns.pcn_code = referrals.pcn_code
    cross join data_date
),

final as (
    select
        pcn_code,
        greatest(days, 0) as days,
        contacted,
        count(*) as referrals,
        count(*) filter (where still_waiting) as still_waiting
    from waits
    group by all
    order by pcn_code, days, contacted
)

select * from final
