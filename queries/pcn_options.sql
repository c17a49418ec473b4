-- pcn_options: every loaded PCN, for the filter, with its ICB (icb_code) for titles.
-- grain: one row per PCN.
-- parameters: none.
with

pcns as (select * from main.pcns),

final as (
    select pcn_code, pcn_name, list_size, icb_code
    from pcns
    order by pcn_name, pcn_code
)

select * from final
