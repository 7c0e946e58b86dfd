-- Video performance per title over every loaded metric date. Every title has a row (zeros when
-- it has no video yet). Rolled up from int_video_asset_channel_daily, which is incremental with
-- the fact, so a one-day build does not re-read every fact row.
with

titles as (
    select * from {{ ref('dim_title') }}
),

assets as (
    select * from {{ ref('dim_video_asset') }}
),

daily as (
    -- fct_video_daily summed over countries (incremental with the fact)
    select * from {{ ref('int_video_asset_channel_daily') }}
),

matches as (
    select * from {{ ref('int_matched_asset_work') }}
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
    -- the facts of each title's assets as matched today (fct_video_daily.work_id)
    select
        matches.work_id,
        {{ video_daily_sums('daily') }},
        count(distinct daily.metric_date) as n_metric_days
    from daily
    inner join matches
        on daily.asset_id = matches.asset_id
    group by matches.work_id
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
