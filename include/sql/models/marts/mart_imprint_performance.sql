-- Video performance per imprint, from the title totals (macros/title_performance_rollup.sql);
-- titles without an imprint are grouped under 'Unassigned'.
{{ title_performance_rollup('imprint_name') }}
