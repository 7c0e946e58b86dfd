-- Video performance per publication season, from the title totals
-- (macros/title_performance_rollup.sql); titles without a season are grouped under 'Unassigned'.
{{ title_performance_rollup('season_name') }}
