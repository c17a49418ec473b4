-- pcn_funnel: the funnel's stages and drop-outs for every PCN, with its decline rate
-- (declined / referred), so a selected PCN is seen against its peers; `selected` is false
-- here, and the measures mark the filter's PCNs (Filters.marked), so one result serves every
-- selection. Stages from macro funnel_sums (contacted = a first contact is recorded;
-- engaged = engaged or completed); completed_pct is among closed referrals (completed or
-- dropped out), so open ones never dilute it.
-- grain: one row per PCN.
-- parameters: $date_from, $date_to (inclusive).
with

pcns as (select pcn_code, pcn_name from main.pcns),

-- Counted per PCN code and latest status in one pass; the stages are sums of those few rows.
referrals_per_status as (
    select pcn_code, status, count(*) as referrals, count(first_contact_date) as contacted
    from main.referrals
    where referral_date between $date_from and $date_to
    group by pcn_code, status
),

counts as (
    select pcn_code, stages.*
    from (
        select pcn_code, funnel_sums(status, referrals, contacted) as stages
        from referrals_per_status
        group by pcn_code
    )
),

final as (
    select
        pcns.pcn_code,
        pcns.pcn_name,
        coalesce(counts.referred, 0) as referred,
        coalesce(counts.contacted, 0) as contacted,
        coalesce(counts.engaged, 0) as engaged,
        coalesce(counts.completed, 0) as completed,
        coalesce(counts.declined, 0) as declined,
        coalesce(counts.not_contactable, 0) as not_contactable,
        coalesce(counts.did_not_attend, 0) as did_not_attend,
        coalesce(counts.closed, 0) as closed,
        counts.declined * 100.0 / nullif(counts.referred, 0) as decline_rate_pct,
        counts.completed * 100.0 / nullif(counts.closed, 0) as completed_pct,
        false as selected
    from pcns
    left join counts on counts.pcn_code = pcns.pcn_code
    order by decline_rate_pct desc nulls last, pcns.pcn_code
)

select * from final
