-- Video performance per title and channel (matched assets only).
with

facts as (
    select * from fct_video_daily
),

final as (
    select
        work_id,
        channel,
        sum(views) as views,
        sum(unique_viewers) as unique_viewers_sum,
        sum(watch_time_seconds) as watch_time_seconds,
        sum(completed_views) as completed_views,
        sum(completed_views) / nullif(sum(views), 0) as completion_rate,
        sum(likes) as likes,
        sum(comments) as comments,
        sum(shares) as shares,
        sum(engagements) as engagements,
        sum(engagements) / nullif(sum(views), 0) as engagement_rate,
        count(distinct asset_id) as n_assets,
        min(metric_date) as first_metric_date,
        max(metric_date) as last_metric_date
    from facts
    where work_id is not null
    group by work_id, channel
)

select * from final
