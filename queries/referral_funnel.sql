-- referral_funnel: referred -> contacted -> engaged -> completed, and the drop-outs.
-- contacted = a first contact is recorded; engaged = status engaged or completed.
-- share_pct is each stage as a share of the referrals.
-- grain: one row per stage, in funnel order.
-- parameters: $date_from, $date_to (inclusive), $pcns (empty = whole ICB).
with

referrals as (
    select first_contact_date, status from main.referrals
    where referral_date between $date_from and $date_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
),

counts as (
    select
        count(*) as referred,
        count(first_contact_date) as contacted,
        count(*) filter (where status in ('engaged', 'completed')) as engaged,
        count(*) filter (where status = 'completed') as completed,
        count(*) filter (where status = 'declined') as declined,
        count(*) filter (where status = 'not_contactable') as not_contactable,
        count(*) filter (where status = 'did_not_attend') as did_not_attend
    from referrals
),

stages as (
    unpivot counts
    on referred, contacted, engaged, completed, declined, not_contactable, did_not_attend
    into name stage value people
),

final as (
    select
        stage,
        people,
        stage in ('declined', 'not_contactable', 'did_not_attend') as drop_out,
        people * 100.0 / nullif((select referred from counts), 0) as share_pct
    from stages
    order by list_position(
        ['referred', 'contacted', 'engaged', 'completed', 'declined', 'not_contactable',
            'did_not_attend'],
        stage
    )
)

select * from final
