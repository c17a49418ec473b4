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
-- For speed, whole months come pre-summed from utilisation_monthly (people whose rows share one
-- index date and carry a PCN); the period's edges and any other people from the facts.
-- grain: one row per cohort, PCN and setting.
-- parameters: $date_from, $date_to (inclusive).
with

bounds as (
    -- the first and last whole calendar months of the period, as year * 12 + month - 1
    select
        year($date_from::date) * 12 + month($date_from::date) - 1
        + (case when day($date_from::date) = 1 then 0 else 1 end) as month_from,
        year($date_to::date) * 12 + month($date_to::date) - 1
        - (case when month($date_to::date + 1) = month($date_to::date) then 1 else 0 end)
            as month_to
),

monthly as (
    select cohort, pcn_code, setting, n_people, sum_before, sum_after, sumsq_before,
        sumsq_after, sumsq_change
    from main.utilisation_monthly, bounds
    where index_month between bounds.month_from and bounds.month_to
),

per_person as (
    select cohort, pcn_code, setting, before_count, after_count
    from main.utilisation_facts, bounds
    where index_from >= $date_from and index_to <= $date_to
        and (
            index_from <> index_to
            or pcn_code is null
            or index_month not between bounds.month_from and bounds.month_to
        )
),

row_sums as (
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
),

parts as (
    -- as doubles (exact at these sizes): summing them is faster than summing wide integers
    select cohort, pcn_code, setting, n_people::double as n_people,
        sum_before::double as sum_before, sum_after::double as sum_after,
        sumsq_before::double as sumsq_before, sumsq_after::double as sumsq_after,
        sumsq_change::double as sumsq_change
    from (select * from monthly union all select * from row_sums)
),

final as (
    select
        cohort,
        pcn_code,
        setting,
        cast(sum(n_people) as bigint) as n_people,
        cast(sum(sum_before) as hugeint) as sum_before,
        cast(sum(sum_after) as hugeint) as sum_after,
        cast(sum(sumsq_before) as hugeint) as sumsq_before,
        cast(sum(sumsq_after) as hugeint) as sumsq_after,
        cast(sum(sumsq_change) as hugeint) as sumsq_change
    from parts
    group by cohort, pcn_code, setting
    order by cohort, pcn_code, setting
)

select * from final
