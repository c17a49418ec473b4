-- wait_distribution: how many people waited how long from referral to first contact, in
-- whole weeks (week 0 = days 0-6); waits of 12 weeks or more share the last bar.
-- Every bar from week 0 to 12 is returned, 0 where no one waited that long.
-- grain: one row per week bar.
-- parameters: $date_from, $date_to (inclusive), $pcns (empty = whole ICB).
with

waits as (
    select first_contact_date - referral_date as wait_days
    from main.referrals
    where referral_date between $date_from and $date_to
        and (len($pcns) = 0 or list_contains($pcns, pcn_code))
        and first_contact_date is not null
        and pcn_code in (select pcn_code from main.pcns)
),

weeks as (select range as week from range(0, 13)),

per_week as (
    select least(wait_days // 7, 12) as week, count(*) as people
    from waits
    group by all
),

final as (
    select
        weeks.week,
        case
            when weeks.week = 12 then '12+ weeks'
            else format('{}-{} days', weeks.week * 7, weeks.week * 7 + 6)
        end as wait_band,
        coalesce(per_week.people, 0) as people
    from weeks
    left join per_week on per_week.week = weeks.week
    order by weeks.week
)

select * from final
