-- utilisation_monthly: utilisation_facts summed (utilisation_sums) per index month, PCN,
-- cohort and setting, for the people utilisation_summed_monthly names (one index date and a
-- PCN); utilisation_change reads a period's whole months from here and sums its part months
-- and everyone else from the facts with the same macros.
-- Built for the cells in the temp table _derived_cells (index_month, pcn_code): every cell on
-- a rebuild, the cells a load changed on a refresh (dashboard.data.derived).
-- grain: one row per index month, PCN, cohort and setting.
-- parameters: none.
with

cells as (select index_month, pcn_code from _derived_cells),

people as (
    select index_month, pcn_code, cohort, setting, before_count, after_count
    from main.utilisation_facts
    where utilisation_summed_monthly(index_from, index_to, pcn_code)
        and (index_month, pcn_code) in (select (index_month, pcn_code) from cells)
),

summed as (
    select
        index_month,
        pcn_code,
        cohort,
        setting,
        utilisation_sums(before_count, after_count) as sums
    from people
    group by index_month, pcn_code, cohort, setting
),

final as (
    select index_month, pcn_code, cohort, setting, sums.*
    from summed
)

select * from final
