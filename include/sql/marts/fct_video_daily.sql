-- Daily video metrics: asset × channel × country × metric date, with the matched title.
-- Incremental by metric_date: a build loads only the metric dates whose raw partition changed
-- and replaces them; fct_video_daily.refresh.sql keeps work_id current on carried-over rows.
with

metrics as (
    select * from stg_bytenite__daily_metrics
),

matches as (
    select
        asset_id,
        work_id
    from int_asset_title_match
),

final as (
    select
        metrics.metric_date,
        metrics.asset_id,
        metrics.channel,
        metrics.country,
        matches.work_id,
        metrics.views,
        metrics.unique_viewers,
        metrics.watch_time_seconds,
        metrics.avg_view_duration_seconds,
        metrics.completion_rate,
        -- views that reached >= 95 %: sum this, then divide by views, to aggregate completion
        metrics.views * metrics.completion_rate as completed_views,
        metrics.likes,
        metrics.comments,
        metrics.shares,
        coalesce(metrics.likes, 0) + coalesce(metrics.comments, 0) + coalesce(metrics.shares, 0) as engagements,
        metrics.engagement_rate
    from metrics
    left join matches
        on metrics.asset_id = matches.asset_id
)

select * from final
