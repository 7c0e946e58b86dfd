-- Assets the integration publishes (flow 2): READY assets of titles with an Active product or a
-- Forthcoming one inside the pre-order window (audio deliverables: their audio product). Assets a
-- person unpublished are left alone; published ones are listed so the state stays complete.
with

assets as (
    select * from {{ ref('dim_video_asset') }}
),

products as (
    select * from {{ ref('dim_product') }}
),

windows as (
    select * from {{ source('rules', 'windows') }}
),

snapshot as (
    select
        asset_id,
        extracted_at,
        snapshot_on
    from {{ ref('stg_bytenite__assets') }}
),

as_of as (
    select as_of_date from {{ ref('stg_bytenite__current_snapshot') }}
),

sellable_products as (
    -- Active, or Forthcoming and pre-order ready on the snapshot date
    select
        products.product_id,
        products.work_id
    from products
    cross join windows
    cross join as_of
    where
        products.publishing_status_code = '04'
        or (
            products.publishing_status_code = '02'
            and products.publication_date is not null
            and products.publication_date <= as_of.as_of_date + windows.pre_order_days::integer
        )
),

candidates as (
    select
        assets.asset_id,
        assets.publishing_status
    from assets
    where
        assets.in_current_snapshot
        and assets.work_id is not null
        and assets.publishing_status in ('READY', 'PUBLISHED')
        and (
            (not assets.is_audio_deliverable and assets.work_id in (select sellable_products.work_id from sellable_products))
            or (assets.is_audio_deliverable and assets.product_id in (select sellable_products.product_id from sellable_products))
        )
),

final as (
    select
        candidates.asset_id as key,
        '{"publishingStatus": "PUBLISHING_STATUS_PUBLISHED"}' as desired_json,
        to_json({ 'publishingStatus': 'PUBLISHING_STATUS_' || candidates.publishing_status })::varchar as observed_json,
        snapshot.extracted_at as observed_at,
        to_json({ 'asset_id': candidates.asset_id })::varchar as context_json
    from candidates
    inner join snapshot
        on candidates.asset_id = snapshot.asset_id
)

select * from final
