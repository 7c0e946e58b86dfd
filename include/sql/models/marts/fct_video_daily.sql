-- Daily video metrics: asset × channel × country × metric date, with the matched title.
-- Incremental by metric_date: a build loads only the metric dates whose raw partition changed
-- and replaces them (delete+insert on metric_date; see titlevideo/warehouse/build.py for which
-- dates), the pre-hook removes dates whose raw partition was deleted, and the post-hook
-- (macros/fct_video_daily_hooks.sql) keeps work_id current on carried-over rows.
with

metrics as (
    select * from {{ ref('stg_bytenite__daily_metrics') }}
),

matches as (
    select
        asset_id,
        work_id
    from {{ ref('int_asset_title_match') }}
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
        -- views that reached >= 95 %: sum this, then divide by views, to aggregate completion.
        -- A decimal (exact to 6 places), so every sum of it is exact and the same whatever order
        -- DuckDB's threads add the rows in: a double sum can differ in its last bits between two
        -- builds, and the completion rate rounded for Consonance then flips on a boundary.
        (metrics.views * metrics.completion_rate)::decimal(18, 6) as completed_views,
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
