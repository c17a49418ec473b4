-- referral_funnel: referred -> contacted -> engaged -> completed, and the drop-outs (macro
-- funnel_counts: contacted = a first contact is recorded; engaged = engaged or completed).
-- Open referrals (referred, contacted or engaged, not yet closed) are their own stage;
-- completed and the drop-outs are shares of the closed referrals (completed, declined, not
-- contactable, did not attend), so open referrals never dilute completion. share_pct is
-- people / base, base being the referrals or the closed referrals. Referrals of PCNs
-- missing from the reference list are left out, as from every referral figure.
-- grain: one row per stage, in funnel order.
-- parameters: $date_from, $date_to (inclusive), $pcns (empty = whole ICB).
with

referrals as (
    select first_contact_date, status from main.referrals
    where referral_date between $date_from and $date_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
        and pcn_code in (select pcn_code from main.pcns)
),

counts as (
    select stages.*
    from (select funnel_counts(first_contact_date, status) as stages from referrals)
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
