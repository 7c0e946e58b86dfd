{#- Hooks of the incremental fact fct_video_daily (only on an incremental run: a full build
    creates the table from the lake).

    The build writes meta.reloaded_dates, the metric dates whose raw partition was added, changed
    or removed since the previous warehouse. delete+insert on metric_date replaces the dates that
    still have rows; the pre-hook also removes the dates whose partition was deleted. -#}
{% macro fct_video_daily_delete_removed_dates() %}
    {% if is_incremental() %}
delete from {{ this }}
where metric_date in (select metric_date from meta.reloaded_dates)
{% endif %}
{% endmacro %}

{#- Carried-over rows keep their metrics; their title follows today's matching. -#}
{% macro fct_video_daily_refresh_titles() %}
    {% if is_incremental() %}
update {{ this }} as fct
set work_id = matches.work_id
from {{ ref('int_asset_title_match') }} as matches
where fct.asset_id = matches.asset_id
    and fct.work_id is distinct from matches.work_id;

update {{ this }}
set work_id = null
where work_id is not null
    and asset_id not in (select asset_id from {{ ref('int_asset_title_match') }});
{% endif %}
{% endmacro %}
