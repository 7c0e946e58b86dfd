-- Video performance per title and viewer country, with whether the title is for sale there.
-- The fact summed per asset and country, rolled up through today's asset → title matching (which
-- is fct_video_daily.work_id); the rights are tested once per asset and country, after summing
-- over the dates. It reads the fact itself: a per-asset, country and date aggregate kept
-- incrementally (as int_video_asset_channel_daily is for the channels) would hold two thirds of
-- the fact's rows, and storing it cost a full build more than re-reading the fact costs a daily one.
with

facts as (
    select * from {{ ref('fct_video_daily') }}
),

asset_country as (
    select
        asset_id,
        country,
        sum(views) as views,
        sum(watch_time_seconds) as watch_time_seconds,
        sum(completed_views) as completed_views,
        sum(engagements) as engagements,
        min(metric_date) as first_metric_date,
        max(metric_date) as last_metric_date
    from facts
    group by asset_id, country
),

matches as (
    select * from {{ ref('int_matched_asset_work') }}
),

assets as (
    select
        asset_id,
        rights_basis,
        regions_whitelist,
        regions_blacklist,
        allows_anywhere
    from {{ ref('dim_video_asset') }}
),

titles as (
    select
        work_id,
        regions_whitelist,
        regions_blacklist,
        allows_anywhere
    from {{ ref('dim_title') }}
),

classified as (
    select
        matches.work_id,
        asset_country.*,
        assets.rights_basis,
        -- an asset's own rights (audio deliverables follow their audio product)
        marts.allows_country(assets.allows_anywhere, assets.regions_whitelist, assets.regions_blacklist, asset_country.country)
            as asset_allowed
    from asset_country
    inner join matches
        on asset_country.asset_id = matches.asset_id
    inner join assets
        on asset_country.asset_id = assets.asset_id
),

aggregated as (
    select
        work_id,
        country,
        sum(views) as views,
        -- ZZ is no country; an audio deliverable without a known audio product has no rights to
        -- test (it is its own compliance finding)
        sum(views) filter (
            where not asset_allowed
            and country <> 'ZZ'
            and rights_basis <> 'AUDIO_PRODUCT_UNKNOWN'
        ) as views_not_for_sale,
        sum(watch_time_seconds) as watch_time_seconds,
        sum(completed_views) as completed_views,
        sum(completed_views) / nullif(sum(views), 0) as completion_rate,
        sum(engagements) as engagements,
        sum(engagements) / nullif(sum(views), 0) as engagement_rate,
        min(first_metric_date) as first_metric_date,
        max(last_metric_date) as last_metric_date
    from classified
    group by work_id, country
),

final as (
    select
        aggregated.work_id,
        aggregated.country,
        case
            when aggregated.country = 'ZZ' then null
            else marts.allows_country(titles.allows_anywhere, titles.regions_whitelist, titles.regions_blacklist, aggregated.country)
        end as title_for_sale,
        aggregated.views,
        coalesce(aggregated.views_not_for_sale, 0) as views_not_for_sale,
        aggregated.watch_time_seconds,
        aggregated.completed_views,
        aggregated.completion_rate,
        aggregated.engagements,
        aggregated.engagement_rate,
        aggregated.first_metric_date,
        aggregated.last_metric_date
    from aggregated
    inner join titles
        on aggregated.work_id = titles.work_id
)

select * from final
