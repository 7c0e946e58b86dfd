-- ByteNite video assets of the current snapshot (see stg_bytenite__current_snapshot: the
-- snapshot extracted last; a backfill of an old date run today is the newest), so an asset
-- deleted upstream disappears. Enum prefixes are stripped (PUBLISHING_STATUS_PUBLISHED → PUBLISHED).
with

current_snapshot as (
    -- the current snapshot's rows, the latest version of each asset_id (macros/bytenite_current_snapshot.sql)
    {{ bytenite_current_snapshot('assets', 'asset_id') }}
),

final as (
    select
        asset_id,
        job_id,
        title,
        regexp_replace(deliverable_type, '^DELIVERABLE_TYPE_', '') as deliverable_type,
        {{ bytenite_label_columns() }}
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
    from current_snapshot
)

select * from final
