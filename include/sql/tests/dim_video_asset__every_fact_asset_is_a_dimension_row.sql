-- dim_video_asset: every_fact_asset_is_a_dimension_row (the rows returned break the rule)
select distinct asset_id from {{ ref('fct_video_daily') }}
where asset_id not in (select dim.asset_id from {{ ref('dim_video_asset') }} as dim)
