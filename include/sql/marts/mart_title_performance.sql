-- Video performance per title over every loaded metric date. Every title has a row (zeros when
-- it has no video yet).
with

titles as (
    select * from dim_title
),

assets as (
    select * from dim_video_asset
),

facts as (
    select * from fct_video_daily
),

asset_counts as (
    select
        work_id,
        count(*) as n_assets,
        count(*) filter (where publishing_status = 'PUBLISHED') as n_published_assets
    from assets
    where work_id is not null
    group by work_id
),

metrics as (
    select
        work_id,
        sum(views) as views,
        sum(unique_viewers) as unique_viewers_sum,
        sum(watch_time_seconds) as watch_time_seconds,
        sum(completed_views) as completed_views,
        sum(likes) as likes,
        sum(comments) as comments,
        sum(shares) as shares,
        sum(engagements) as engagements,
        min(metric_date) as first_metric_date,
        max(metric_date) as last_metric_date,
        count(distinct metric_date) as n_metric_days
    from facts
    where work_id is not null
    group by work_id
),

final as (
    select
        titles.work_id,
        titles.title,
        titles.imprint_name,
        titles.season_name,
        titles.tier,
        titles.title_status,
        titles.first_publication_date,
        coalesce(asset_counts.n_assets, 0) as n_assets,
        coalesce(asset_counts.n_published_assets, 0) as n_published_assets,
        coalesce(metrics.views, 0) as views,
        coalesce(metrics.unique_viewers_sum, 0) as unique_viewers_sum,
        coalesce(metrics.watch_time_seconds, 0) as watch_time_seconds,
        coalesce(metrics.completed_views, 0) as completed_views,
        metrics.completed_views / nullif(metrics.views, 0) as completion_rate,
        coalesce(metrics.likes, 0) as likes,
        coalesce(metrics.comments, 0) as comments,
        coalesce(metrics.shares, 0) as shares,
        coalesce(metrics.engagements, 0) as engagements,
        metrics.engagements / nullif(metrics.views, 0) as engagement_rate,
        metrics.first_metric_date,
        metrics.last_metric_date,
        coalesce(metrics.n_metric_days, 0) as n_metric_days
    from titles
    left join asset_counts
        on titles.work_id = asset_counts.work_id
    left join metrics
        on titles.work_id = metrics.work_id
)

select * from final
