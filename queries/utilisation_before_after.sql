-- utilisation_before_after: mean events per person in the window before and after referral,
-- by setting, for the referred cohort.
-- People follow the filter through their referral: PCN, and a referral date in the period
-- (their first referral if they have several).
-- grain: one row per setting.
-- parameters: $date_from, $date_to (inclusive), $pcns (empty = whole ICB).
with

first_referrals as (
    select person_id, min(referral_date) as index_date, arg_min(pcn_code, referral_date) as pcn_code
    from main.referrals
    group by person_id
),

people as (
    select person_id from first_referrals
    where index_date between $date_from and $date_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
),

utilisation as (
    select utilisation.*
    from main.utilisation
    inner join people using (person_id)
    where cohort = 'referred'
),

per_person as (
    select
        person_id,
        setting,
        sum("count") filter (where period = 'before') as before_count,
        sum("count") filter (where period = 'after') as after_count
    from utilisation
    group by person_id, setting
    having before_count is not null and after_count is not null
),

final as (
    select
        setting,
        count(*) as n_people,
        avg(before_count) as before_per_person,
        avg(after_count) as after_per_person,
        (avg(after_count) - avg(before_count)) * 100.0 / nullif(avg(before_count), 0)
            as pct_change
    from per_person
    group by setting
    order by setting
)

select * from final
