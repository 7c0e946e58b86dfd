{#- The rollups of mart_title_performance by one attribute of the title (mart_imprint_performance,
    mart_season_performance): one row per value of `group_column`, titles without one grouped under
    'Unassigned'. Counts are sums of the title totals; rates are recomputed from the sums. -#}
{% macro title_performance_rollup(group_column) %}
with

titles as (
    select * from {{ ref('mart_title_performance') }}
),

final as (
    select
        coalesce({{ group_column }}, 'Unassigned') as {{ group_column }},
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
    group by coalesce({{ group_column }}, 'Unassigned')
)

select * from final
{% endmacro %}
