-- referral_kpis: headline referral figures for the filter (the tiles, and the summary JSON).
-- PCNs in band counts the filter's PCNs (all PCNs for the whole ICB) whose annualised rate
-- (macro rate_per_1000_a_year) lies within the planning band, both ends included. Referrals
-- of PCNs missing from the reference list never enter a figure (they have no list size); they
-- are counted apart, as unknown_pcn_referrals, for the data-quality note. Waits are in
-- wait_times (Kaplan-Meier).
-- grain: one row.
-- parameters: $date_from, $date_to (inclusive), $days, $pcns (empty = whole ICB),
--             $band_low, $band_high (per 1,000 a year).
with

pcns as (
    -- the period's list sizes (macro period_list_sizes: the mean of the extracts dated in it)
    select pcn_code, list_size from period_list_sizes($date_from, $date_to)
    where len($pcns) = 0 or list_contains($pcns, pcn_code)
),

-- One pass over the period's referrals into a row per PCN code before any join: joining the
-- referrals themselves to the PCNs costs many times more than counting them.
referrals_per_code as (
    select
        pcn_code,
        count(*) as referrals,
        count(*) filter (where status = 'declined') as declined
    from main.referrals
    where referral_date between $date_from and $date_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
    group by pcn_code
),

unknown as (
    select coalesce(sum(referrals), 0)::bigint as unknown_pcn_referrals
    from referrals_per_code
    anti join main.pcns on main.pcns.pcn_code = referrals_per_code.pcn_code
    where len($pcns) = 0
),

per_pcn as (
    select
        pcns.pcn_code,
        pcns.list_size,
        coalesce(referrals_per_code.referrals, 0) as referrals,
        coalesce(referrals_per_code.declined, 0) as declined
    from pcns
    left join referrals_per_code on referrals_per_code.pcn_code = pcns.pcn_code
),

totals as (
    select
        coalesce(sum(referrals), 0)::bigint as referrals,
        coalesce(sum(declined), 0)::bigint as declined,
        sum(list_size) as list_size,
        count(*) as pcns,
        count(*) filter (
            where rate_per_1000_a_year(referrals, list_size, $days)
                between $band_low and $band_high
        ) as pcns_in_band
    from per_pcn
),

final as (
    select
        totals.referrals,
        totals.list_size,
        rate_per_1000_a_year(totals.referrals, totals.list_size, $days) as rate_per_1000,
        totals.pcns,
        totals.pcns_in_band,
        totals.pcns_in_band * 100.0 / nullif(totals.pcns, 0) as pcns_in_band_pct,
        totals.declined,
        totals.declined * 100.0 / nullif(totals.referrals, 0) as decline_rate_pct,
        unknown.unknown_pcn_referrals
    from totals, unknown
)

select * from final
