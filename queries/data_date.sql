-- data_date: the data's date, the latest date in the loaded extracts (referral, first contact
-- and end dates, outcome baseline and follow-up dates, onward referral dates and utilisation
-- extract dates). What is "upcoming" (funding that ends soon) is measured from it, not from
-- the end of the period a user picked. NULL before any extract is loaded.
-- grain: one row.
-- parameters: none.
with

-- The latest of each column's own maximum: a plain max per column reads far less than a
-- greatest() per row, and greatest() skips nulls, so the two agree.
latest as (
    select greatest(max(referral_date), max(first_contact_date), max(end_date)) as day
    from main.referrals
    union all
    select greatest(max(baseline_date), max(followup_date)) from main.outcomes
    union all
    select max(onward_date) from main.onward_referrals
    union all
    select max(extract_date) from main.utilisation
),

final as (
    select max(day) as data_date
    from latest
)

select * from final
