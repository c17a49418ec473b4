-- referral_funnel: referred -> contacted -> engaged -> completed, and the drop-outs.
-- contacted = a first contact is recorded; engaged = status engaged or completed.
-- grain: one row per stage.
-- parameters: $date_from, $date_to (inclusive), $pcns (empty = whole ICB).
with

referrals as (
    select * from main.referrals
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

final as (
    select * from (
        unpivot counts on referred, contacted, engaged, completed, declined, not_contactable,
            did_not_attend
        into name stage value people
    )
)

select
    stage,
    people,
    stage in ('declined', 'not_contactable', 'did_not_attend') as drop_out
from final
