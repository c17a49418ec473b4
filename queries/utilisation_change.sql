-- utilisation_change: events per person in the window before and after the index date, as sums
-- per cohort, PCN and setting, from which any set of PCNs adds up exactly (means, standard
-- deviations and confidence intervals in dashboard.measures.utilisation).
-- Referred people follow the filter through their first referral: its PCN, and its date in
-- the period (a person first referred before the period is not counted again). The comparison
-- cohort has no referral: its rows carry their own pcn_code and index_date.
-- Only people with both windows for a setting count (paired). utilisation_facts holds one row
-- per paired person, setting and cohort with that PCN and index date already resolved
-- (dashboard.data.derived): index_from = index_to = the first referral's date for the referred
-- cohort, the earliest and latest row's index date for the comparison cohort.
-- Figures are per window length (window_months, before = after as the loader requires):
-- cohorts are compared only within one. A person whose after-window had not ended when the
-- counts were extracted (index_to + window_months later than extract_date, else the date of
-- the latest utilisation load) is left out of the sums and counted in n_not_elapsed.
-- For speed, whole months come pre-summed from utilisation_monthly (the people the macro
-- utilisation_summed_monthly names: one index date and a PCN); the period's part months and
-- any other people are summed here from the facts with the same macro (utilisation_sums).
-- The monthly sums carry no window or extract date, so they serve only a database with one
-- window length and one extract date (or none), and only months whose windows had all ended
-- by then; otherwise everyone's window and extract date come from the facts (their after
-- row's).
-- grain: one row per cohort, PCN, setting and window_months.
-- parameters: $date_from, $date_to (inclusive).
with

bounds as (select month_from, month_to from period_months($date_from, $date_to)),

shape as (
    -- uniform: one window length, and one extract date on every row or none on any, so every
    -- person's window and extract date (that date; else the latest utilisation load's, or
    -- today for rows written without a recorded load) are known without looking them up, and
    -- whole months can come pre-summed
    select
        coalesce(
            min(window_months) = max(window_months)
                and (
                    count(extract_date) = 0
                    or (count(extract_date) = count(*) and min(extract_date) = max(extract_date))
                ),
            true
        ) as uniform,
        max(window_months) as window_months,
        coalesce(
            (select max(loaded_at)::date from main.load_history where kind = 'utilisation'),
            current_date
        ) as load_date,
        -- when uniform, the date every row's counts were extracted (null: the load's)
        max(extract_date) as extracted
    from main.utilisation_facts
),

summed_months as (
    -- the period's whole months whose every after-window had ended by the extract date or the
    -- load (a run from its first whole month, as windows end in date order; month_from >
    -- month_to when none)
    select
        coalesce(min(index_month), 0) as month_from,
        coalesce(max(index_month), -1) as month_to
    from (select unnest(range(month_from, month_to + 1)) as index_month from bounds), shape
    where shape.uniform
        and last_day(make_date(index_month // 12, index_month % 12 + 1, 1))
            + to_months(shape.window_months) <= coalesce(shape.extracted, shape.load_date)
),

monthly as (
    select utilisation_monthly.* exclude (index_month), shape.window_months
    from main.utilisation_monthly, summed_months, shape
    where index_month between summed_months.month_from and summed_months.month_to
),

in_period as (
    select person_id, cohort, pcn_code, setting, index_to, before_count, after_count,
        window_months, extract_date
    from main.utilisation_facts, summed_months
    where index_from >= $date_from and index_to <= $date_to
        and (
            not utilisation_summed_monthly(index_from, index_to, pcn_code)
            or index_month not between summed_months.month_from and summed_months.month_to
        )
),

per_person as (
    -- each person's window and extract date, carried on the facts from their after row
    select in_period.* exclude (extract_date),
        coalesce(in_period.extract_date, shape.load_date) as extracted
    from in_period, shape
),

elapsed as (
    select *, index_to + to_months(window_months) <= extracted as after_window_ended
    from per_person
),

summed as (
    select cohort, pcn_code, setting, window_months,
        utilisation_sums(before_count, after_count) as sums
    from elapsed
    where after_window_ended
    group by cohort, pcn_code, setting, window_months
),

row_sums as (select cohort, pcn_code, setting, window_months, sums.* from summed),

not_elapsed as (
    select cohort, pcn_code, setting, window_months, count(*) as n_not_elapsed
    from elapsed
    where not after_window_ended
    group by cohort, pcn_code, setting, window_months
),

parts as (
    -- as doubles (exact at these sizes): summing them is faster than summing wide integers
    select cohort, pcn_code, setting, window_months, n_people::double as n_people,
        sum_before::double as sum_before, sum_after::double as sum_after,
        sumsq_before::double as sumsq_before, sumsq_after::double as sumsq_after,
        sumsq_change::double as sumsq_change, n_not_elapsed::double as n_not_elapsed
    from (
        select * from monthly
        union all by name select * from row_sums
        union all by name select * from not_elapsed
    )
),

final as (
    select
        cohort,
        pcn_code,
        setting,
        window_months,
        cast(coalesce(sum(n_people), 0) as bigint) as n_people,
        cast(coalesce(sum(sum_before), 0) as hugeint) as sum_before,
        cast(coalesce(sum(sum_after), 0) as hugeint) as sum_after,
        cast(coalesce(sum(sumsq_before), 0) as hugeint) as sumsq_before,
        cast(coalesce(sum(sumsq_after), 0) as hugeint) as sumsq_after,
        cast(coalesce(sum(sumsq_change), 0) as hugeint) as sumsq_change,
        cast(coalesce(sum(n_not_elapsed), 0) as bigint) as n_not_elapsed
    from parts
    group by cohort, pcn_code, setting, window_months
    order by cohort, pcn_code, setting, window_months
)

select * from final
