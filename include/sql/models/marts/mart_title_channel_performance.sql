-- Video performance per title and channel (matched assets only). Rolled up from
-- int_video_asset_channel_daily (fct_video_daily summed over countries, incremental with the fact)
-- through today's asset → title matching, which is fct_video_daily.work_id.
with

daily as (
    select * from {{ ref('int_video_asset_channel_daily') }}
),

matches as (
    select * from {{ ref('int_matched_asset_work') }}
),

sums as (
    select
        matches.work_id,
        daily.channel,
        {{ video_daily_sums('daily') }},
        count(distinct daily.asset_id) as n_assets
    from daily
    inner join matches
        on daily.asset_id = matches.asset_id
    group by matches.work_id, daily.channel
),

final as (
    select
        work_id,
        channel,
        views,
        unique_viewers_sum,
        watch_time_seconds,
        completed_views,
        completed_views / nullif(views, 0) as completion_rate,
        likes,
        comments,
        shares,
        engagements,
        engagements / nullif(views, 0) as engagement_rate,
        n_assets,
        first_metric_date,
        last_metric_date
    from sums
)

select * from final
