{#- The additive measures of int_video_asset_channel_daily (alias `daily`) summed over a title's
    rows, with its first and last metric date: the select list mart_title_performance (per title)
    and mart_title_channel_performance (per title and channel) share. Rates are recomputed from
    these sums by each model. (title_performance_rollup sums the title totals one level up.) -#}
{% macro video_daily_sums(daily='daily') %}
        sum({{ daily }}.views) as views,
        sum({{ daily }}.unique_viewers_sum) as unique_viewers_sum,
        sum({{ daily }}.watch_time_seconds) as watch_time_seconds,
        sum({{ daily }}.completed_views) as completed_views,
        sum({{ daily }}.likes) as likes,
        sum({{ daily }}.comments) as comments,
        sum({{ daily }}.shares) as shares,
        sum({{ daily }}.engagements) as engagements,
        min({{ daily }}.metric_date) as first_metric_date,
        max({{ daily }}.metric_date) as last_metric_date
{%- endmacro %}
