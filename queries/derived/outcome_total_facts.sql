-- outcome_total_facts: the outcomes with a baseline that outcome_monthly does not pre-sum
-- (not outcome_summed_monthly: the SWEMWBS and WEMWBS totals, whose figures depend on query
-- parameters), copied narrow from outcome_facts: outcome_change sums them per row without
-- scanning the far more numerous Wellbeing Star and ONS4 rows. Sorted by referral date, so
-- that a period's filter skips blocks.
-- Built for the cells in the temp table _derived_cells (referral_month, pcn_code): every cell
-- on a rebuild, the cells a load changed on a refresh (dashboard.data.derived).
-- grain: one row per outcome with a baseline (referral, measure and domain) not summed monthly.
-- parameters: none.
with

cells as (select referral_month, pcn_code from _derived_cells),

outcomes as (
    select referral_date, referral_month, pcn_code, measure, domain, baseline_score, followup_score
    from main.outcome_facts
    where baseline_score is not null
        and not outcome_summed_monthly(measure)
        and (referral_month, pcn_code) in (select (referral_month, pcn_code) from cells)
),

final as (
    select referral_date, referral_month, pcn_code, measure, domain, baseline_score, followup_score
    from outcomes
    order by referral_date
)

select * from final
