-- Video performance per imprint, from the title totals; titles without a imprint are
-- grouped under 'Unassigned'.
with

titles as (
    select * from mart_title_performance
),

final as (
    select
        coalesce(imprint_name, 'Unassigned') as imprint_name,
        count(*) as n_titles,
        count(*) filter (where n_assets > 0) as n_titles_with_video,
        sum(n_assets) as n_assets,
        sum(views) as views,
        sum(watch_time_seconds) as watch_time_seconds,
        sum(completed_views) as completed_views,
        sum(completed_views) / nullif(sum(views), 0) as completion_rate,
        sum(engagements) as engagements,
        sum(engagements) / nullif(sum(views), 0) as engagement_rate,
        sum(views) / nullif(count(*) filter (where n_assets > 0), 0) as views_per_title_with_video
    from titles
    group by coalesce(imprint_name, 'Unassigned')
)

select * from final
