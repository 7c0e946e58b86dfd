-- Title video performance by day relative to the first publication date, inside the launch
-- window of the business rules (days launch_window_start_day .. launch_window_end_day; day 0 =
-- publication). Days without views have no row.
with

asset_daily as (
    -- fct_video_daily summed over countries (incremental with the fact)
    select * from {{ ref('int_video_asset_channel_daily') }}
),

matches as (
    select * from {{ ref('int_matched_asset_work') }}
),

facts as (
    -- each asset's daily facts with its title as matched today (fct_video_daily.work_id)
    select
        matches.work_id,
        asset_daily.*
    from asset_daily
    inner join matches
        on asset_daily.asset_id = matches.asset_id
),

titles as (
    select
        work_id,
        first_publication_date
    from {{ ref('dim_title') }}
    where first_publication_date is not null
),

launch_window as (
    select
        launch_window_start_day,
        launch_window_end_day
    from {{ source('rules', 'windows') }}
),

daily as (
    select
        facts.work_id,
        facts.metric_date - titles.first_publication_date as days_from_publication,
        facts.metric_date,
        sum(facts.views) as views,
        sum(facts.watch_time_seconds) as watch_time_seconds,
        sum(facts.completed_views) as completed_views,
        sum(facts.engagements) as engagements,
        count(distinct facts.asset_id) as n_assets
    from facts
    inner join titles
        on facts.work_id = titles.work_id
    cross join launch_window
    where
        facts.metric_date - titles.first_publication_date
        between launch_window.launch_window_start_day and launch_window.launch_window_end_day
    group by facts.work_id, days_from_publication, facts.metric_date
),

final as (
    select
        work_id,
        days_from_publication,
        metric_date,
        views,
        sum(views) over (
            partition by work_id
            order by days_from_publication
            rows between unbounded preceding and current row
        ) as cumulative_views,
        watch_time_seconds,
        completed_views,
        completed_views / nullif(views, 0) as completion_rate,
        engagements,
        engagements / nullif(views, 0) as engagement_rate,
        n_assets
    from daily
)

select * from final
