-- utilisation_change: events per person in the window before and after the index date, as sums
-- per cohort, PCN and setting, from which any set of PCNs adds up exactly (means, standard
-- deviations and confidence intervals in dashboard.core.utilisation).
-- Referred people follow the filter through their first referral: its PCN, and its date in
-- the period (a person first referred before the period is not counted again). The comparison
-- cohort has no referral: its rows carry their own pcn_code and index_date.
-- Only people with both windows for a setting count (paired).
-- grain: one row per cohort, PCN and setting.
-- parameters: $date_from, $date_to (inclusive).
with

in_period as (
    select person_id, referral_date, pcn_code
    from main.referrals
    where referral_date between $date_from and $date_to
),

earlier as (
    select distinct person_id
    from main.referrals
    where referral_date < $date_from
),

first_referrals as (
    select person_id, arg_min(pcn_code, referral_date) as pcn_code
    from in_period
    where person_id not in (select person_id from earlier)
    group by person_id
),

referred as (
    select first_referrals.pcn_code, utilisation.person_id, utilisation.setting,
        utilisation.period, utilisation."count"
    from main.utilisation
    inner join first_referrals using (person_id)
    where utilisation.cohort = 'referred'
),

comparison as (
    select pcn_code, person_id, setting, period, "count"
    from main.utilisation
    where cohort = 'comparison' and index_date between $date_from and $date_to
),

rows as (
    select 'referred' as cohort, * from referred
    union all
    select 'comparison' as cohort, * from comparison
),

per_person as (
    -- (person_id, setting, period) is the table's key, so one person is in one cohort and PCN.
    select
        any_value(cohort) as cohort,
        any_value(pcn_code) as pcn_code,
        setting,
        any_value("count") filter (where period = 'before') as before_count,
        any_value("count") filter (where period = 'after') as after_count
    from rows
    group by person_id, setting
),

final as (
    select
        cohort,
        pcn_code,
        setting,
        count(*) as n_people,
        sum(before_count) as sum_before,
        sum(after_count) as sum_after,
        sum(before_count * before_count) as sumsq_before,
        sum(after_count * after_count) as sumsq_after,
        sum((after_count - before_count) * (after_count - before_count)) as sumsq_change
    from per_person
    where before_count is not null and after_count is not null
    group by cohort, pcn_code, setting
    order by cohort, pcn_code, setting
)

select * from final
