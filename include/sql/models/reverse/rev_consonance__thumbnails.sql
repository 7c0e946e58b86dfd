-- Desired video thumbnails in Consonance (flow 6, issue 18): the thumbnail of every published,
-- matched asset is a supporting resource of its work (assets the ByteNite sync publishes in this
-- same cycle count as published, so a cycle converges in one pass; the Consonance sync drops
-- them if that publish failed). Observed: the work's supporting resources whose URL is a known
-- ByteNite thumbnail URL (those the integration manages). Managed resources that are not desired
-- (the asset was unpublished or deleted) have desired = null.
with

assets as (
    select * from {{ ref('dim_video_asset') }}
),

matched as (
    select * from {{ ref('int_matched_assets_after_sync') }}
),

works as (
    select * from {{ ref('stg_consonance__works') }}
),

desired as (
    select
        work_id,
        thumbnail_url,
        min(asset_id) as asset_id,
        min(deliverable_type) as deliverable_type,
        bool_and(projected) as projected
    from matched
    where
        publishing_status_after_sync = 'PUBLISHED'
        and thumbnail_url is not null
    group by work_id, thumbnail_url
),

resources as (
    select
        works.work_id,
        works.extracted_at,
        unnest(works.supporting_resources) as resource
    from works
),

managed as (
    select
        work_id,
        resource.url as thumbnail_url,
        list(resource.supporting_resource_id order by resource.supporting_resource_id) as resource_ids,
        max(extracted_at) as extracted_at
    from resources
    where
        resource.url in (
            select assets.thumbnail_url from assets
            where assets.thumbnail_url is not null
        )
    group by work_id, resource.url
),

latest_extraction as (
    select max(extracted_at) as observed_at from works
),

final as (
    select
        coalesce(desired.work_id, managed.work_id) || '|' || coalesce(desired.thumbnail_url, managed.thumbnail_url) as key,
        case
            when desired.work_id is not null
                then to_json({ 'deliverable': desired.deliverable_type, 'assetId': desired.asset_id })::varchar
        end as desired_json,
        case
            when managed.work_id is not null then to_json({ 'resourceIds': managed.resource_ids })::varchar
        end as observed_json,
        coalesce(managed.extracted_at, latest_extraction.observed_at) as observed_at,
        to_json({
            'work_id': coalesce(desired.work_id, managed.work_id),
            'thumbnail_url': coalesce(desired.thumbnail_url, managed.thumbnail_url),
            'asset_id': desired.asset_id,
            'projected': coalesce(desired.projected, false)
        })::varchar as context_json
    from desired
    full outer join managed
        on
            desired.work_id = managed.work_id
            and desired.thumbnail_url = managed.thumbnail_url
    cross join latest_extraction
)

select * from final
