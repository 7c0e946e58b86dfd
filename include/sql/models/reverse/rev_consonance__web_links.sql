-- Desired video web links in Consonance (flow 6): every published, matched asset is a link on the
-- right products (assets the ByteNite sync publishes in this same cycle count as published, so a
-- cycle converges in one pass; the Consonance sync drops them if that publish failed) -
-- work-level deliverables on each live product of the work, audio deliverables on their (live)
-- audio product - with the ONIX list 73 role of its deliverable and a
-- description (deliverable, duration, format). Observed: links whose URL is a known ByteNite
-- asset URL (links the integration manages, including ones made by hand before it). Managed
-- links that are not desired (the asset was unpublished or deleted) have desired = null.
with

assets as (
    select * from {{ ref('dim_video_asset') }}
),

products as (
    select * from {{ ref('dim_product') }}
),

roles as (
    select * from {{ source('rules', 'web_link_roles') }}
),

links as (
    select * from {{ ref('stg_consonance__web_links') }}
),

matched as (
    select * from {{ ref('int_matched_assets_after_sync') }}
),

published as (
    select
        asset_id,
        work_id,
        product_id,
        is_audio_deliverable,
        deliverable_type,
        asset_url,
        duration_seconds,
        format,
        projected
    from matched
    where
        publishing_status_after_sync = 'PUBLISHED'
        and asset_url is not null
),

targets as (
    select
        products.product_id,
        products.work_id,
        published.asset_url as link,
        published.asset_id,
        published.projected,
        published.deliverable_type,
        published.duration_seconds,
        published.format
    from published
    inner join products
        on
            published.work_id = products.work_id
            and products.is_live
            and (
                (not published.is_audio_deliverable)
                or (published.is_audio_deliverable and published.product_id = products.product_id)
            )
),

desired as (
    select
        targets.product_id,
        targets.work_id,
        targets.link,
        targets.asset_id,
        targets.projected,
        roles.role_code as role,
        -- e.g. "Author interview (12:05, MP4)"
        upper(substr(replace(lower(targets.deliverable_type), '_', ' '), 1, 1))
        || substr(replace(lower(targets.deliverable_type), '_', ' '), 2)
        || ' ('
        || (floor(coalesce(targets.duration_seconds, 0) / 60))::bigint
        || ':'
        || lpad((round(coalesce(targets.duration_seconds, 0)) % 60)::bigint::varchar, 2, '0')
        || ', '
        || coalesce(targets.format, 'video')
        || ')' as description
    from targets
    inner join roles
        on targets.deliverable_type = roles.deliverable_type
),

managed as (
    select
        links.web_link_id,
        links.product_id,
        links.work_id,
        links.link,
        links.role_code,
        links.description,
        links.extracted_at
    from links
    where links.link in (
        select assets.asset_url from assets
        where assets.asset_url is not null
    )
),

joined as (
    select
        coalesce(desired.product_id, managed.product_id) as product_id,
        coalesce(desired.work_id, managed.work_id) as work_id,
        coalesce(desired.link, managed.link) as link,
        desired.role,
        desired.description,
        desired.asset_id,
        coalesce(desired.projected, false) as projected,
        managed.web_link_id,
        managed.role_code as observed_role,
        managed.description as observed_description,
        managed.extracted_at
    from desired
    full outer join managed
        on
            desired.product_id = managed.product_id
            and desired.link = managed.link
),

latest_extraction as (
    select max(extracted_at) as observed_at from links
),

final as (
    select
        joined.product_id || '|' || joined.link as key,
        case
            when joined.role is not null
                then to_json({ 'role': joined.role, 'description': joined.description })::varchar
        end as desired_json,
        case
            when joined.web_link_id is not null
                then to_json({ 'role': joined.observed_role, 'description': joined.observed_description })::varchar
        end as observed_json,
        coalesce(joined.extracted_at, latest_extraction.observed_at) as observed_at,
        to_json({
            'product_id': joined.product_id,
            'work_id': joined.work_id,
            'link': joined.link,
            'web_link_id': joined.web_link_id,
            'asset_id': joined.asset_id,
            'projected': joined.projected
        })::varchar as context_json
    from joined
    cross join latest_extraction
)

select * from final
