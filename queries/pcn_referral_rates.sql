-- pcn_referral_rates: referrals per 1,000 registered patients a year (macro
-- rate_per_1000_a_year, on the period's list sizes: macro period_list_sizes), for every PCN,
-- against the planning band. All PCNs are returned (so a selected PCN is seen against its
-- peers and the ICB); `selected` is false here, and the measures mark the filter's PCNs
-- (Filters.marked), so one result serves every selection. The band includes both its ends.
-- grain: one row per PCN.
-- parameters: $date_from, $date_to (inclusive), $days (length of the period),
--             $band_low, $band_high (per 1,000).
with

pcns as (
    -- the period's list sizes (macro period_list_sizes: the mean of the extracts dated in it,
    -- else the nearest), with how many extracts and of which dates, for the caption
    select
        pcns.pcn_code, pcns.pcn_name, lists.list_size,
        lists.list_size_extracts, lists.list_size_from, lists.list_size_to
    from main.pcns
    inner join period_list_sizes($date_from, $date_to) as lists using (pcn_code)
),

referrals as (
    select pcn_code
    from main.referrals
    where referral_date between $date_from and $date_to
),

referrals_per_pcn as (
    select pcn_code, count(*) as referrals
    from referrals
    group by pcn_code
),

rates as (
    select
        pcns.pcn_code,
        pcns.pcn_name,
        pcns.list_size,
        pcns.list_size_extracts,
        pcns.list_size_from,
        pcns.list_size_to,
        coalesce(referrals_per_pcn.referrals, 0) as referrals,
        rate_per_1000_a_year(coalesce(referrals_per_pcn.referrals, 0), pcns.list_size, $days)
            as rate_per_1000
    from pcns
    left join referrals_per_pcn on referrals_per_pcn.pcn_code = pcns.pcn_code
),

final as (
    select
        *,
        case
            when rate_per_1000 < $band_low then 'below'
            when rate_per_1000 > $band_high then 'above'
            else 'within'
        end as band_position,
        rate_per_1000 between $band_low and $band_high as in_band,
        false as selected,
        rank() over (order by rate_per_1000 desc) as rank_high_to_low,
        rate_per_1000_a_year(sum(referrals) over (), sum(list_size) over (), $days)
            as icb_rate_per_1000
    from rates
    order by rate_per_1000 desc, pcn_code
)

select * from final
