-- Carried-over rows keep their metrics; their title follows today's matching.
update fct_video_daily as fct
set work_id = matches.work_id
from int_asset_title_match as matches
where fct.asset_id = matches.asset_id
    and fct.work_id is distinct from matches.work_id;

update fct_video_daily
set work_id = null
where work_id is not null
    and asset_id not in (select asset_id from int_asset_title_match);
