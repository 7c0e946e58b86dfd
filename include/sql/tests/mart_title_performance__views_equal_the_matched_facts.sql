-- mart_title_performance: its views add up to the views of every matched daily fact
with

performance as (
    select coalesce(sum(views), 0) as title_views
    from {{ ref('mart_title_performance') }}
),

facts as (
    select coalesce(sum(views), 0) as matched_views
    from {{ ref('fct_video_daily') }}
    where work_id is not null
)

select
    performance.title_views,
    facts.matched_views
from performance
cross join facts
where performance.title_views <> facts.matched_views
