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

period_referrals as (
    select pcn_code, status
    from main.referrals
    where referral_date between $date_from and $date_to
),

referrals as (
    select period_referrals.*
    from period_referrals
    inner join pcns on pcns.pcn_code = period_referrals.pcn_code
),

unknown as (
    select count(*) as unknown_pcn_referrals
    from period_referrals
    anti join main.pcns on main.pcns.pcn_code = period_referrals.pcn_code
    where len($pcns) = 0
),

per_pcn as (
    select pcns.pcn_code, pcns.list_size, count(referrals.pcn_code) as referrals
    from pcns
    left join referrals on referrals.pcn_code = pcns.pcn_code
    group by pcns.pcn_code, pcns.list_size
),

pcn_totals as (
    select
        sum(list_size) as list_size,
        count(*) as pcns,
        count(*) filter (
            where rate_per_1000_a_year(referrals, list_size, $days)
                between $band_low and $band_high
        ) as pcns_in_band
    from per_pcn
),

referral_totals as (
    select
        count(*) as referrals,
        count(*) filter (where status = 'declined') as declined
    from referrals
),

final as (
    select
        referral_totals.referrals,
        pcn_totals.list_size,
        rate_per_1000_a_year(referral_totals.referrals, pcn_totals.list_size, $days)
            as rate_per_1000,
        pcn_totals.pcns,
        pcn_totals.pcns_in_band,
        pcn_totals.pcns_in_band * 100.0 / nullif(pcn_totals.pcns, 0) as pcns_in_band_pct,
        referral_totals.declined,
        referral_totals.declined * 100.0 / nullif(referral_totals.referrals, 0)
            as decline_rate_pct,
        unknown.unknown_pcn_referrals
    from referral_totals, pcn_totals, unknown
)

select * from final
