-- The current placements (latest ByteNite snapshot) beside the rights of their asset: what a
-- sync compares to decide region updates and disables, and what compliance reports.
-- A placement covers country c when c is not in its blacklist and (its whitelist is empty or
-- holds c). It covers a not-for-sale country when it covers some c the asset may not play in.
with

placements as (
    select * from {{ ref('stg_bytenite__placements') }}
),

assets as (
    select * from {{ ref('dim_video_asset') }}
),

joined as (
    select
        placements.placement_id,
        placements.asset_id,
        assets.work_id,
        assets.product_id,
        assets.deliverable_type,
        assets.publishing_status,
        placements.channel,
        placements.state,
        placements.state = 'ENABLED' as is_enabled,
        placements.regions_whitelist,
        placements.regions_blacklist,
        coalesce(assets.rights_basis, 'UNMATCHED') as rights_basis,
        coalesce(assets.regions_whitelist, []::varchar[]) as allowed_regions_whitelist,
        coalesce(assets.regions_blacklist, []::varchar[]) as allowed_regions_blacklist,
        coalesce(assets.allows_anywhere, false) as allows_anywhere
    from placements
    left join assets
        on placements.asset_id = assets.asset_id
),

coverage as (
    select
        *,
        -- the placement plays everywhere outside its blacklist, while the asset may play only in
        -- listed territories or nowhere: it covers countries no list can name
        len(regions_whitelist) = 0
        and (not allows_anywhere or len(allowed_regions_whitelist) > 0) as covers_unlisted_countries,
        case
            when len(regions_whitelist) > 0
                then
                    list_filter(
                        regions_whitelist,
                        lambda country: not list_contains(regions_blacklist, country)
                        and not marts.allows_country(allows_anywhere, allowed_regions_whitelist, allowed_regions_blacklist, country)
                    )
            when allows_anywhere and len(allowed_regions_whitelist) = 0
                then
                    list_filter(
                        allowed_regions_blacklist,
                        lambda country: not list_contains(regions_blacklist, country)
                    )
            else []::varchar[]
        end as not_for_sale_countries_covered
    from joined
),

final as (
    select
        placement_id,
        asset_id,
        work_id,
        product_id,
        deliverable_type,
        publishing_status,
        channel,
        state,
        is_enabled,
        regions_whitelist,
        regions_blacklist,
        rights_basis,
        allowed_regions_whitelist,
        allowed_regions_blacklist,
        allows_anywhere,
        list_sort(not_for_sale_countries_covered) as not_for_sale_countries_covered,
        covers_unlisted_countries,
        covers_unlisted_countries or len(not_for_sale_countries_covered) > 0 as covers_not_for_sale
    from coverage
)

select * from final
