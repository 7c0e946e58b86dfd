-- ByteNite placements in the latest extracted snapshot; PLACEMENT_CHANNEL_ and PLACEMENT_STATE_
-- prefixes stripped, missing region lists read as empty.
with

current_snapshot as (
    -- the current snapshot's rows, the latest version of each placement_id (macros/bytenite_current_snapshot.sql)
    {{ bytenite_current_snapshot('placements', 'placement_id') }}
),

final as (
    select
        placement_id,
        asset_id,
        regexp_replace(channel, '^PLACEMENT_CHANNEL_', '') as channel,
        list_sort(list_distinct(coalesce(regions_whitelist, []))) as regions_whitelist,
        list_sort(list_distinct(coalesce(regions_blacklist, []))) as regions_blacklist,
        regexp_replace(state, '^PLACEMENT_STATE_', '') as state,
        error_message,
        enabled_at,
        disabled_at,
        created_at,
        updated_at,
        snapshot_on,
        _extracted_at as extracted_at
    from current_snapshot
)

select * from final
