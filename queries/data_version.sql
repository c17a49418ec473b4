-- data_version: the id of the latest load, 0 before any; it changes whenever a load commits,
-- so it keys cached query results (dashboard.data.store.data_version).
-- grain: one row.
-- parameters: none.
with

loads as (select load_id from main.load_history),

final as (
    select coalesce(max(load_id), 0) as data_version
    from loads
)

select * from final
