-- Desired placements (flows 2 and 4). For every matched asset that is published, or published by
-- this sync run:
--   * a placement on each channel the business rules give its deliverable, created only where
--     its title (its audio product, for audio deliverables) may play somewhere;
--   * every placement it already has, on any channel.
-- Regions always follow the rights (whitelist/blacklist of int_asset_rights). A placement is
-- enabled when the title may play somewhere and the channel is one of the deliverable's, or it
-- was enabled already; a title that may play nowhere (withdrawn, cancelled, recalled) has every
-- placement disabled (its regions are then left as they are). Unmatched assets are never touched
-- (their rights are unknown; they are compliance findings).
-- Time periods and restrictions (int_asset_promotion): a placement is enabled only while the asset
-- is inside its promotion window (pre-order window or sales embargo date, up to an out-of-print
-- date) and never on a channel the business rules keep its imprint off; new placements are
-- created only inside the window and never on a restricted channel.
with

assets as (
    select * from {{ ref('dim_video_asset') }}
),

placements as (
    select * from {{ ref('fct_placement_current') }}
),

deliverable_channels as (
    select * from {{ source('rules', 'deliverable_channels') }}
),

promotion as (
    select * from {{ ref('int_asset_promotion') }}
),

publishing as (
    select * from {{ ref('rev_bytenite__publishing') }}
),

snapshot as (
    select
        placement_id,
        extracted_at
    from {{ ref('stg_bytenite__placements') }}
),

snapshot_time as (
    select coalesce(
        (select max(extracted_at) from {{ ref('stg_bytenite__placements') }}),
        (select max(extracted_at) from {{ ref('stg_bytenite__assets') }})
    ) as observed_at
),

live_assets as (
    select
        assets.asset_id,
        assets.deliverable_type,
        assets.allows_anywhere,
        coalesce(promotion.in_window, false) as in_window,
        coalesce(promotion.restricted_channels, []::varchar[]) as restricted_channels,
        list_sort(assets.regions_whitelist) as regions_whitelist,
        list_sort(assets.regions_blacklist) as regions_blacklist
    from assets
    left join promotion
        on assets.asset_id = promotion.asset_id
    where
        assets.in_current_snapshot
        and assets.work_id is not null
        and assets.rights_basis <> 'UNMATCHED'
        and (
            assets.publishing_status = 'PUBLISHED'
            or assets.asset_id in (select publishing.key from publishing)
        )
),

configured as (
    select
        live_assets.asset_id,
        deliverable_channels.channel
    from live_assets
    inner join deliverable_channels
        on live_assets.deliverable_type = deliverable_channels.deliverable_type
    where not list_contains(live_assets.restricted_channels, deliverable_channels.channel)
),

wanted as (
    -- configured channels (new placements only where the title may play) and existing ones
    select
        configured.asset_id,
        configured.channel
    from configured
    inner join live_assets
        on configured.asset_id = live_assets.asset_id
    where live_assets.allows_anywhere and live_assets.in_window
    union
    select
        placements.asset_id,
        placements.channel
    from placements
    where placements.asset_id in (select live_assets.asset_id from live_assets)
),

desired as (
    select
        wanted.asset_id,
        wanted.channel,
        placements.placement_id,
        placements.is_enabled as observed_enabled,
        list_sort(placements.regions_whitelist) as observed_whitelist,
        list_sort(placements.regions_blacklist) as observed_blacklist,
        live_assets.allows_anywhere
        and live_assets.in_window
        and not list_contains(live_assets.restricted_channels, wanted.channel)
        and (configured.channel is not null or coalesce(placements.is_enabled, false)) as enabled,
        case
            when live_assets.allows_anywhere then live_assets.regions_whitelist
            else coalesce(list_sort(placements.regions_whitelist), [])
        end as whitelist,
        case
            when live_assets.allows_anywhere then live_assets.regions_blacklist
            else coalesce(list_sort(placements.regions_blacklist), [])
        end as blacklist
    from wanted
    inner join live_assets
        on wanted.asset_id = live_assets.asset_id
    left join placements
        on
            wanted.asset_id = placements.asset_id
            and wanted.channel = placements.channel
    left join configured
        on
            wanted.asset_id = configured.asset_id
            and wanted.channel = configured.channel
),

final as (
    select
        desired.asset_id || '|' || desired.channel as key,
        to_json({
            'regions': { 'whitelist': desired.whitelist, 'blacklist': desired.blacklist },
            'enabled': desired.enabled
        })::varchar as desired_json,
        case
            when desired.placement_id is not null then to_json({
                'regions': { 'whitelist': desired.observed_whitelist, 'blacklist': desired.observed_blacklist },
                'enabled': desired.observed_enabled
            })::varchar
        end as observed_json,
        coalesce(snapshot.extracted_at, snapshot_time.observed_at) as observed_at,
        to_json({
            'asset_id': desired.asset_id,
            'channel': 'PLACEMENT_CHANNEL_' || desired.channel,
            'placement_id': desired.placement_id
        })::varchar as context_json
    from desired
    left join snapshot
        on desired.placement_id = snapshot.placement_id
    cross join snapshot_time
)

select * from final
