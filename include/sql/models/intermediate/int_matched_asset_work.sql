-- The matched assets with their work (int_asset_title_match where a title was found): how the
-- fact-aggregating marts map an asset's facts to its title as matched today, which is
-- fct_video_daily.work_id. Ephemeral.
with

matches as (
    select * from {{ ref('int_asset_title_match') }}
),

final as (
    select
        asset_id,
        work_id
    from matches
    where work_id is not null
)

select * from final
