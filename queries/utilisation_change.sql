-- utilisation_change: events per person in the window before and after the index date, as sums
-- per cohort, PCN and setting, from which any set of PCNs adds up exactly (means, standard
-- deviations and confidence intervals in dashboard.core.utilisation).
-- Referred people follow the filter through their first referral: its PCN, and its date in
-- the period (a person first referred before the period is not counted again). The comparison
-- cohort has no referral: its rows carry their own pcn_code and index_date.
-- Only people with both windows for a setting count (paired). utilisation_facts holds one row
-- per paired person, setting and cohort with that PCN and index date already resolved
-- (dashboard.core.derived): index_from = index_to = the first referral's date for the referred
-- cohort, the earliest and latest row's index date for the comparison cohort.
-- grain: one row per cohort, PCN and setting.
-- parameters: $date_from, $date_to (inclusive).
with

per_person as (
    select cohort, pcn_code, setting, before_count, after_count
    from main.utilisation_facts
    where index_from >= $date_from and index_to <= $date_to
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
    group by cohort, pcn_code, setting
    order by cohort, pcn_code, setting
)

select * from final
