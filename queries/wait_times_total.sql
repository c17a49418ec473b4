-- wait_times_total: time to first contact for every referral of the period and the filter's
-- PCNs together (the whole ICB when none), as counts per day and outcome, for the selection's
-- Kaplan-Meier estimate (the same waits as wait_times, macro referral_waits, without the split
-- by PCN that only the per-PCN chart needs: a few hundred rows instead of tens of thousands).
-- grain: one row per days and contacted (true = first contact, false = censored).
-- parameters: $date_from, $date_to (inclusive), $pcns (empty = whole ICB).
with

waits as (
    select * from referral_waits($date_from, $date_to)
    where len($pcns) = 0 or list_contains($pcns, pcn_code)
),

final as (
    select
        days,
        contacted,
        count(*) as referrals,
        count(*) filter (where still_waiting) as still_waiting
    from waits
    group by all
    order by days, contacted
)

select * from final
