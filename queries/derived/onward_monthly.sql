-- onward_monthly: onward_facts summed (onward_sums: demand and unmet demand) per onward month,
-- PCN and activity; capacity_gaps reads a period's whole months from here and sums its part
-- months from the facts with the same macro.
-- Built for the cells in the temp table _derived_cells (onward_month, pcn_code): every cell on
-- a rebuild, the cells a load changed on a refresh (dashboard.data.derived).
-- grain: one row per onward month, PCN and activity.
-- parameters: none.
with

cells as (select onward_month, pcn_code from _derived_cells),

onward_referrals as (
    select onward_month, pcn_code, activity, result
    from main.onward_facts
    where (onward_month, pcn_code) in (select (onward_month, pcn_code) from cells)
),

summed as (
    select onward_month, pcn_code, activity, onward_sums(result) as sums
    from onward_referrals
    group by onward_month, pcn_code, activity
),

final as (
    select onward_month, pcn_code, activity, sums.*
    from summed
)

select * from final
