-- utilisation_facts: people with both a before and an after count for a setting (paired), with
-- their PCN and index dates resolved. The referred cohort takes the person's first referral
-- (no row when the person has no referral; a first referral shared by two referrals on one day
-- takes the lower referral_id's PCN). The comparison cohort takes its rows' own PCN and index
-- dates: index_from and index_to are the earliest and latest of them, so a period filter
-- `index_from >= from and index_to <= to` keeps a person only when every row is in the period.
-- A person whose before and after rows for a setting sit in different cohorts is not paired.
-- The window length and extract date are carried, so utilisation_change needs no second scan
-- of the utilisation rows to find them.
-- Built for the people in the temp relation _derived_people (person_id): every person on a
-- rebuild, the people a load changed on a refresh (dashboard.data.derived).
-- grain: one row per paired person, setting and cohort.
-- parameters: none.
with

people as (select person_id from _derived_people),

utilisation as (
    -- extract_date is optional: a database made before the column existed lacks it, and a
    -- union by name with a typed empty row gives it as null there
    select person_id, setting, cohort, period, "count", pcn_code, index_date, window_months,
        extract_date
    from (
        select * from main.utilisation
        union all by name
        select null::date as extract_date where false
    )
    where person_id in (select person_id from people)
),

pairs as (
    select
        person_id,
        setting,
        cohort,
        any_value("count") filter (where period = 'before') as before_count,
        any_value("count") filter (where period = 'after') as after_count,
        -- the window and extract date are the after row's (the loader requires the before
        -- row's window to match)
        any_value(window_months) filter (where period = 'after') as window_months,
        any_value(extract_date) filter (where period = 'after') as extract_date,
        min(pcn_code) as own_pcn,
        min(index_date) as own_from,
        max(index_date) as own_to
    from utilisation
    group by person_id, setting, cohort
),

paired as (
    select * from pairs where before_count is not null and after_count is not null
),

first_referrals as (
    select
        person_id,
        min(referral_date) as first_date,
        first(pcn_code order by referral_date, referral_id) as first_pcn
    from main.referrals
    where person_id in (select person_id from paired where cohort = 'referred')
    group by person_id
),

resolved as (
    select
        paired.person_id,
        paired.setting,
        paired.cohort,
        case when paired.cohort = 'referred' then first_referrals.first_pcn else paired.own_pcn end
            as pcn_code,
        case
            when paired.cohort = 'referred' then first_referrals.first_date else paired.own_from
        end as index_from,
        case
            when paired.cohort = 'referred' then first_referrals.first_date else paired.own_to
        end as index_to,
        paired.before_count,
        paired.after_count,
        paired.window_months,
        paired.extract_date
    from paired
    left join first_referrals using (person_id)
    where paired.cohort <> 'referred' or first_referrals.person_id is not null
),

final as (
    select *, month_number(index_from) as index_month
    from resolved
)

select * from final
