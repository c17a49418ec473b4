-- capacity_demand_total: VCSE demand (onward referrals) and unmet demand over the period for
-- the filter's PCNs together: what capacity_gaps' pairs add up to (the PCN the referral's,
-- onward referrals whose referral is loaded; unmet by macro is_unmet), without the places per
-- PCN, activity and month that only the gaps need. Whole months come pre-summed from
-- onward_monthly, the part months from onward_facts, with the same macro (onward_sums).
-- grain: one row.
-- parameters: $date_from, $date_to (inclusive, on the onward date), $pcns (empty = whole ICB,
--             applied through the referral).
with

bounds as (select * from period_months($date_from, $date_to)),

whole_months as (
    select demand, unmet
    from main.onward_monthly, bounds
    where onward_month between bounds.month_from and bounds.month_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
),

part_months as (
    select onward_sums(result) as sums
    from main.onward_facts, bounds
    where onward_date between $date_from and $date_to
        and onward_month not between bounds.month_from and bounds.month_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
),

months as (
    select * from whole_months
    union all by name
    select sums.* from part_months
),

final as (
    select
        coalesce(sum(demand), 0)::bigint as demand,
        coalesce(sum(unmet), 0)::bigint as unmet
    from months
)

select * from final
