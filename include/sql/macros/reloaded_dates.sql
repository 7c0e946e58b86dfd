{#- Incremental models keyed by metric_date (fct_video_daily and the aggregates built from it).

    The build writes meta.reloaded_dates, the metric dates whose raw daily_metrics partition was
    added, changed or removed since the previous warehouse (every date on a full build).

    reloaded_dates_filter(): on an incremental run, restricts a select to those dates.
    delete_reloaded_dates(): pre-hook of an incremental run; removes those dates from the model's
    table, so a date whose partition was deleted leaves no rows (delete+insert only replaces the
    dates the new rows have). -#}
{% macro reloaded_dates_filter(column='metric_date') %}
    {%- if is_incremental() -%}
        where {{ column }} in (select reloaded.metric_date from meta.reloaded_dates as reloaded)
    {%- endif -%}
{% endmacro %}

{% macro delete_reloaded_dates() %}
    {% if is_incremental() %}
delete from {{ this }}
where metric_date in (select metric_date from meta.reloaded_dates)
{% endif %}
{% endmacro %}
