-- One row per ByteNite video asset: the current snapshot, plus assets that only appear in the
-- metrics (deleted since), so every fact row has its asset.
with

assets as (
    select * from {{ ref('stg_bytenite__assets') }}
),

matches as (
    select * from {{ ref('int_asset_title_match') }}
),

asset_rights as (
    select * from {{ ref('int_asset_rights') }}
),

metric_only_assets as (
    select distinct asset_id
    from {{ ref('int_video_asset_channel_daily') }}
    where asset_id not in (select assets.asset_id from assets)
),

current_assets as (
    select
        assets.asset_id,
        assets.job_id,
        assets.title,
        matches.deliverable_type,
        matches.is_audio_deliverable,
        matches.work_id,
        matches.product_id,
        matches.match_method,
        matches.unmatched_reason,
        true as in_current_snapshot,
        assets.publishing_status,
        assets.duration_seconds,
        assets.format,
        assets.width,
        assets.height,
        assets.asset_url,
        assets.thumbnail_url,
        assets.created_at,
        assets.updated_at,
        assets.published_at,
        assets.label_consonance_work_id,
        assets.label_isbn13,
        assets.label_audio_product_isbn13,
        asset_rights.rights_basis,
        asset_rights.regions_whitelist,
        asset_rights.regions_blacklist,
        asset_rights.allows_anywhere
    from assets
    inner join matches
        on assets.asset_id = matches.asset_id
    inner join asset_rights
        on assets.asset_id = asset_rights.asset_id
),

deleted_assets as (
    select
        asset_id,
        null::varchar as job_id,
        null::varchar as title,
        null::varchar as deliverable_type,
        false as is_audio_deliverable,
        null::bigint as work_id,
        null::bigint as product_id,
        'UNMATCHED' as match_method,
        'NOT_IN_SNAPSHOT' as unmatched_reason,
        false as in_current_snapshot,
        null::varchar as publishing_status,
        null::double as duration_seconds,
        null::varchar as format,
        null::integer as width,
        null::integer as height,
        null::varchar as asset_url,
        null::varchar as thumbnail_url,
        null::timestamptz as created_at,
        null::timestamptz as updated_at,
        null::timestamptz as published_at,
        null::varchar as label_consonance_work_id,
        null::varchar as label_isbn13,
        null::varchar as label_audio_product_isbn13,
        'UNMATCHED' as rights_basis,
        []::varchar[] as regions_whitelist,
        []::varchar[] as regions_blacklist,
        false as allows_anywhere
    from metric_only_assets
),

final as (
    select * from current_assets
    union all by name
    select * from deleted_assets
)

select * from final
