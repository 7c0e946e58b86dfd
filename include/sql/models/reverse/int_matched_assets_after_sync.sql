-- The matched assets of ByteNite's current snapshot as they will be once this cycle's ByteNite
-- sync has run: an asset it publishes (rev_bytenite__publishing, not published yet) counts as
-- published (projected), so the Consonance write-backs converge in one pass and the Consonance
-- sync drops what that publish failed to do. One declaration for rev_consonance__web_links,
-- rev_consonance__thumbnails (the published ones) and rev_consonance__summaries (all of them).
with

assets as (
    select * from {{ ref('dim_video_asset') }}
),

to_publish as (
    select key as asset_id
    from {{ ref('rev_bytenite__publishing') }}
    where observed_json::json ->> '$.publishingStatus' <> 'PUBLISHING_STATUS_PUBLISHED'
),

projected as (
    select
        assets.*,
        assets.asset_id in (select to_publish.asset_id from to_publish) as projected
    from assets
    where
        assets.in_current_snapshot
        and assets.work_id is not null
),

final as (
    select
        *,
        case when projected then 'PUBLISHED' else publishing_status end as publishing_status_after_sync
    from projected
)

select * from final
