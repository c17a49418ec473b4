-- referral_funnel: referred -> contacted -> engaged -> completed, and the drop-outs (macro
-- funnel_sums: contacted = a first contact is recorded; engaged = engaged or completed).
-- Open referrals (referred, contacted or engaged, not yet closed) are their own stage;
-- completed and the drop-outs are shares of the closed referrals (completed, declined, not
-- contactable, did not attend), so open referrals never dilute completion. share_pct is
-- people / base, base being the referrals or the closed referrals. Referrals of PCNs
-- missing from the reference list are left out, as from every referral figure.
-- grain: one row per stage, in funnel order.
-- parameters: $date_from, $date_to (inclusive), $pcns (empty = whole ICB).
with

-- Counted per PCN code and latest status in one pass, then only the PCNs on the reference list
-- kept: joining each referral to the list costs more than counting them.
referrals_per_status as (
    select pcn_code, status, count(*) as referrals, count(first_contact_date) as contacted
    from main.referrals
    where referral_date between $date_from and $date_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
    group by pcn_code, status
),

filtered as (
    select status, referrals, contacted
    from referrals_per_status
    where pcn_code in (select pcn_code from main.pcns)
),

counts as (
    select stages.*
    from (select funnel_sums(status, referrals, contacted) as stages from filtered)
),

stages as (
    unpivot counts
    on referred, contacted, engaged, open, completed, declined, not_contactable, did_not_attend
    into name stage value people
),

stages_with_base as (
    select
        stages.*,
        case
            when stage in ('completed', 'declined', 'not_contactable', 'did_not_attend')
                then counts.closed
            else counts.referred
        end as base
    from stages, counts
),

final as (
    select
        stage,
        people,
        stage in ('declined', 'not_contactable', 'did_not_attend') as drop_out,
        base,
        people * 100.0 / nullif(base, 0) as share_pct
    from stages_with_base
    order by list_position(
        ['referred', 'contacted', 'engaged', 'open', 'completed', 'declined', 'not_contactable',
            'did_not_attend'],
        stage
    )
)

select * from final
