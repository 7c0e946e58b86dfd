-- Compliance findings, reported and never hidden:
--   VIEWS_IN_NOT_FOR_SALE_COUNTRY        views of a matched asset in a country it may not play in
--                                        (one row per asset, channel and country; ZZ excluded)
--   ENABLED_PLACEMENT_COVERS_NOT_FOR_SALE an enabled placement covering such a country
--   UNMATCHED_ASSET                      an asset no title could be found for (with its views)
--   AUDIO_ASSET_WITHOUT_PRODUCT          an audio deliverable whose audio product is unknown
--   PUBLISHED_ASSET_OF_WITHDRAWN_TITLE   a published asset of a withdrawn/cancelled/recalled title
-- Rights are the current ones: the lake holds Consonance's present state, not its history.
-- Each branch selects only the columns its finding has; `union all by name` fills the others
-- with nulls.
with

facts as (
    select * from {{ ref('fct_video_daily') }}
),

daily as (
    -- fct_video_daily summed over countries (incremental with the fact)
    select * from {{ ref('int_video_asset_channel_daily') }}
),

assets as (
    select * from {{ ref('dim_video_asset') }}
),

titles as (
    select * from {{ ref('dim_title') }}
),

placements as (
    select * from {{ ref('fct_placement_current') }}
),

fact_views as (
    -- views per asset, channel and country (summed first: the rights are then tested once each)
    select
        work_id,
        asset_id,
        channel,
        country,
        sum(views) as views,
        min(metric_date) as first_metric_date,
        max(metric_date) as last_metric_date
    from facts
    where
        country <> 'ZZ'
        and coalesce(views, 0) > 0
    group by work_id, asset_id, channel, country
),

views_not_for_sale as (
    select
        'VIEWS_IN_NOT_FOR_SALE_COUNTRY' as finding_type,
        fact_views.work_id,
        fact_views.asset_id,
        fact_views.channel,
        fact_views.country,
        [fact_views.country] as countries,
        fact_views.views,
        fact_views.first_metric_date,
        fact_views.last_metric_date,
        'views recorded where the asset may not play (' || assets.rights_basis || ' rights)' as detail
    from fact_views
    inner join assets
        on fact_views.asset_id = assets.asset_id
    where
        assets.match_method <> 'UNMATCHED'
        and assets.rights_basis <> 'AUDIO_PRODUCT_UNKNOWN'
        and not marts.allows_country(assets.allows_anywhere, assets.regions_whitelist, assets.regions_blacklist, fact_views.country)
),

asset_views as (
    select
        asset_id,
        sum(views) as views,
        min(metric_date) as first_metric_date,
        max(metric_date) as last_metric_date
    from daily
    group by asset_id
),

enabled_placements as (
    select
        'ENABLED_PLACEMENT_COVERS_NOT_FOR_SALE' as finding_type,
        placements.work_id,
        placements.asset_id,
        placements.placement_id,
        placements.channel,
        placements.not_for_sale_countries_covered as countries,
        case
            when not placements.allows_anywhere then 'enabled although the asset may play nowhere (' || placements.rights_basis || ')'
            when placements.covers_unlisted_countries then 'enabled everywhere although the asset may play only in listed territories'
            else 'enabled in countries where the asset may not play'
        end as detail
    from placements
    where
        placements.is_enabled
        and placements.covers_not_for_sale
),

unmatched_assets as (
    select
        'UNMATCHED_ASSET' as finding_type,
        assets.asset_id,
        []::varchar[] as countries,
        asset_views.views,
        asset_views.first_metric_date,
        asset_views.last_metric_date,
        assets.unmatched_reason as detail
    from assets
    left join asset_views
        on assets.asset_id = asset_views.asset_id
    where assets.match_method = 'UNMATCHED'
),

audio_without_product as (
    select
        'AUDIO_ASSET_WITHOUT_PRODUCT' as finding_type,
        assets.work_id,
        assets.asset_id,
        []::varchar[] as countries,
        asset_views.views,
        asset_views.first_metric_date,
        asset_views.last_metric_date,
        'audio deliverable without a known audio product: it may play nowhere' as detail
    from assets
    left join asset_views
        on assets.asset_id = asset_views.asset_id
    where assets.rights_basis = 'AUDIO_PRODUCT_UNKNOWN'
),

withdrawn_published as (
    select
        'PUBLISHED_ASSET_OF_WITHDRAWN_TITLE' as finding_type,
        assets.work_id,
        assets.asset_id,
        []::varchar[] as countries,
        asset_views.views,
        asset_views.first_metric_date,
        asset_views.last_metric_date,
        'asset is PUBLISHED but every product of the title is cancelled, withdrawn or recalled' as detail
    from assets
    inner join titles
        on assets.work_id = titles.work_id
    left join asset_views
        on assets.asset_id = asset_views.asset_id
    where
        assets.publishing_status = 'PUBLISHED'
        and titles.title_status = 'WITHDRAWN'
),

unioned as (
    select * from views_not_for_sale
    union all by name
    select * from enabled_placements
    union all by name
    select * from unmatched_assets
    union all by name
    select * from audio_without_product
    union all by name
    select * from withdrawn_published
),

final as (
    select
        md5(concat_ws('|', finding_type, asset_id, coalesce(placement_id, ''), coalesce(channel, ''), coalesce(country, '')))
            as finding_id,
        finding_type,
        work_id,
        asset_id,
        placement_id,
        channel,
        country,
        countries,
        views::bigint as views,
        first_metric_date,
        last_metric_date,
        detail
    from unioned
)

select * from final
