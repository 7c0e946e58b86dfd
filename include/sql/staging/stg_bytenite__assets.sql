-- ByteNite video assets of the current snapshot (see stg_bytenite__current_snapshot: the
-- snapshot extracted last; a backfill of an old date run today is the newest), so an asset
-- deleted upstream disappears. Enum prefixes are stripped (PUBLISHING_STATUS_PUBLISHED → PUBLISHED).
with

source as (
    select * from raw_bytenite__assets
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
            partition by asset_id
            order by _extracted_at desc
        ) as version_rank
    from current_snapshot
),

final as (
    select
        asset_id,
        job_id,
        title,
        regexp_replace(deliverable_type, '^DELIVERABLE_TYPE_', '') as deliverable_type,
        nullif(trim(label_consonance_work_id), '') as label_consonance_work_id,
        try_cast(nullif(trim(label_consonance_work_id), '') as bigint) as label_work_id,
        nullif(replace(replace(trim(label_isbn13), '-', ''), ' ', ''), '') as label_isbn13,
        regexp_replace(nullif(trim(label_deliverable_type), ''), '^DELIVERABLE_TYPE_', '') as label_deliverable_type,
        nullif(replace(replace(trim(label_audio_product_isbn13), '-', ''), ' ', ''), '') as label_audio_product_isbn13,
        labels_json,
        metadata_json,
        asset_url,
        thumbnail_url,
        duration_seconds,
        regexp_replace(format, '^ASSET_FORMAT_', '') as format,
        width,
        height,
        video_codec,
        audio_codec,
        bitrate_kbps,
        size_bytes,
        regexp_replace(publishing_status, '^PUBLISHING_STATUS_', '') as publishing_status,
        created_at,
        updated_at,
        published_at,
        snapshot_on,
        _extracted_at as extracted_at
    from ranked
    where version_rank = 1
)

select * from final
