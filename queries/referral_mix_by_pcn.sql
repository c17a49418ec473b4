-- referral_mix_by_pcn: where referrals come from (referral_source) and the primary reason
-- (reason), for every PCN, as counts and shares of the PCN's referrals; `selected` is false
-- here, and the measures mark the filter's PCNs (Filters.marked), so one result serves every
-- selection.
-- Categories a PCN never referred under are absent (read them as 0).
-- grain: one row per PCN, dimension ('referral_source' or 'reason') and category.
-- parameters: $date_from, $date_to (inclusive).
with

pcns as (select pcn_code, pcn_name from main.pcns),

-- Each margin counted straight from the period's referrals, one scan each: a
-- cross-tabulation of PCN, source and reason has tens of thousands of cells, and counting into
-- it cost twice the two margins (as did keeping the period's referrals between two counts).
by_source as (
    select pcn_code, referral_source, count(*) as referrals
    from main.referrals
    where referral_date between $date_from and $date_to
    group by pcn_code, referral_source
),

by_reason as (
    select pcn_code, reason, count(*) as referrals
    from main.referrals
    where referral_date between $date_from and $date_to
    group by pcn_code, reason
),

counts as (
    select pcn_code, 'referral_source' as dimension, referral_source as category, referrals
    from by_source
    union all
    select pcn_code, 'reason' as dimension, reason as category, referrals
    from by_reason
),

final as (
    select
        counts.pcn_code,
        pcns.pcn_name,
        counts.dimension,
        counts.category,
        counts.referrals,
        sum(counts.referrals) over (partition by counts.pcn_code, counts.dimension)
            as pcn_referrals,
        counts.referrals * 100.0
            / sum(counts.referrals) over (partition by counts.pcn_code, counts.dimension)
            as share_pct,
        false as selected
    from counts
    join pcns on pcns.pcn_code = counts.pcn_code
    order by counts.dimension, pcns.pcn_name, counts.pcn_code, counts.category
)

select * from final
