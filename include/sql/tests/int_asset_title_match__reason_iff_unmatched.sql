-- int_asset_title_match: reason_iff_unmatched (the rows returned break the rule)
select *
from {{ ref('int_asset_title_match') }}
where
    (match_method = 'UNMATCHED') <> (unmatched_reason is not null)
    or (match_method = 'UNMATCHED') <> (work_id is null)
