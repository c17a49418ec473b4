-- referral_mix_by_pcn: where referrals come from (referral_source) and the primary reason
-- (reason), for every PCN, as counts and shares of the PCN's referrals; `selected` marks
-- the filter's PCNs. Categories a PCN never referred under are absent (read them as 0).
-- grain: one row per PCN, dimension ('referral_source' or 'reason') and category.
-- parameters: $date_from, $date_to (inclusive), $pcns (selected codes; empty = none selected).
with

pcns as (select pcn_code, pcn_name from main.pcns),

referrals as (
    select pcn_code, referral_source, reason from main.referrals
    where referral_date between $date_from and $date_to
),

-- One pass over the referrals, then both margins of the small result: grouping sets straight
-- on the referrals would scan them once per set.
crosstab as (
    select pcn_code, referral_source, reason, count(*) as referrals
    from referrals
    group by all
),

counts as (
    select
        pcn_code,
        case when grouping(referral_source) = 1 then 'reason' else 'referral_source' end
            as dimension,
        case when grouping(referral_source) = 1 then reason else referral_source end
            as category,
        sum(referrals) as referrals
    from crosstab
    group by grouping sets ((pcn_code, referral_source), (pcn_code, reason))
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
        list_contains($pcns, counts.pcn_code) as selected
    from counts
    join pcns on pcns.pcn_code = counts.pcn_code
    order by counts.dimension, pcns.pcn_name, counts.pcn_code, counts.category
)

select * from final
