-- ByteNite daily analytics, one complete partition per metric date (metric_date comes from the
-- partition folder). Ephemeral: during an incremental build it holds only the dates being
-- reloaded; read fct_video_daily instead.
with

source as (
    select * from {{ source('bytenite', 'daily_metrics') }}
),

final as (
    select
        metric_date,
        asset_id,
        regexp_replace(channel, '^PLACEMENT_CHANNEL_', '') as channel,
        upper(country) as country,
        views,
        unique_viewers,
        watch_time_seconds,
        avg_view_duration_seconds,
        completion_rate,
        likes,
        comments,
        shares,
        engagement_rate,
        _extracted_at as extracted_at
    from source
)

select * from final
