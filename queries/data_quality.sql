-- data_quality: per extract kind, rows held, the latest load and rejected rows over all loads
-- (rollbacks, noted in the load history too, are not loads of a kind).
-- grain: one row per extract kind that has been loaded.
-- parameters: none.
with

loads as (select * from main.load_history where kind <> 'rollback'),

per_kind as (
    select
        kind,
        count(*) as loads,
        max(loaded_at) as last_loaded,
        sum(rows_read) as rows_read,
        sum(accepted) as accepted,
        sum(rejected) as rejected,
        min(date_from) as date_from,
        max(date_to) as date_to
    from loads
    group by kind
),

final as (
    select * from per_kind
    order by kind
)

select * from final
