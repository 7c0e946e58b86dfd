-- fct_video_daily summed over countries: one row per metric date, asset and channel. The per-title
-- marts roll this up through today's asset → title matching (int_asset_title_match), so it carries
-- no work_id: the fact's post-hook may move an asset's carried-over rows to another title, which
-- a title-level partial aggregate could not follow. Incremental by metric_date like the fact: a
-- build re-aggregates only the dates it reloaded.
with

facts as (
    select * from {{ ref('fct_video_daily') }}
    {{ reloaded_dates_filter() }}
),

final as (
    select
        metric_date,
        asset_id,
        channel,
        sum(views) as views,
        sum(unique_viewers) as unique_viewers_sum,
        sum(watch_time_seconds) as watch_time_seconds,
        sum(completed_views) as completed_views,
        sum(likes) as likes,
        sum(comments) as comments,
        sum(shares) as shares,
        sum(engagements) as engagements
    from facts
    group by metric_date, asset_id, channel
)

select * from final
