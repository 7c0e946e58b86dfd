-- ByteNite placements in the latest extracted snapshot; PLACEMENT_CHANNEL_ and PLACEMENT_STATE_
-- prefixes stripped, missing region lists read as empty.
with

source as (
    select * from raw_bytenite__placements
),

latest_snapshot as (
    select snapshot_on from stg_bytenite__current_snapshot
),

current_snapshot as (
    select source.*
    from source
    inner join latest_snapshot
        on source.snapshot_on = latest_snapshot.snapshot_on
),

ranked as (
    select
        *,
        row_number() over (
            partition by placement_id
            order by _extracted_at desc
        ) as version_rank
    from current_snapshot
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
    from ranked
    where version_rank = 1
)

select * from final
