-- load_history: every load, newest first.
-- grain: one row per loaded file.
-- parameters: none.
with

loads as (select * from main.load_history),

final as (
    select
        file_name as file,
        kind,
        loaded_at,
        rows_read,
        accepted,
        rejected,
        date_from,
        date_to
    from loads
    order by loaded_at desc, load_id desc
)

select * from final
