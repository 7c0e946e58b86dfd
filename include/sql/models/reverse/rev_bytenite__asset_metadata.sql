-- Desired metadata of every matched ByteNite asset (flow 3): it follows the title record (the
-- audio product's record for audio deliverables). Observed: the asset's metadata in the latest
-- snapshot. The sync sends it only where the two differ.
with

assets as (
    select * from {{ ref('dim_video_asset') }}
),

snapshot as (
    select
        asset_id,
        metadata_json,
        extracted_at
    from {{ ref('stg_bytenite__assets') }}
),

metadata as (
    select * from {{ ref('int_video_metadata') }}
),

matched as (
    select
        assets.asset_id,
        assets.work_id,
        case when assets.is_audio_deliverable then assets.product_id end as product_id
    from assets
    where
        assets.in_current_snapshot
        and assets.work_id is not null
        and (not assets.is_audio_deliverable or assets.product_id is not null)
        and assets.publishing_status <> 'FAILED'
),

final as (
    select
        matched.asset_id as key,
        to_json({ 'metadata': json(metadata.metadata_json) })::varchar as desired_json,
        case
            when snapshot.metadata_json is not null
                then to_json({ 'metadata': json(snapshot.metadata_json) })::varchar
        end as observed_json,
        snapshot.extracted_at as observed_at,
        to_json({ 'asset_id': matched.asset_id })::varchar as context_json
    from matched
    inner join metadata
        on metadata.metadata_key = matched.work_id || ':' || coalesce(matched.product_id::varchar, '')
    inner join snapshot
        on matched.asset_id = snapshot.asset_id
)

select * from final
