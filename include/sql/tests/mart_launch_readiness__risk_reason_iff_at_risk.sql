-- mart_launch_readiness: at_risk exactly when a rule gives a reason, every blocked row at risk
-- with its blocked reason, and a placed row has channels (the rows returned break the rule)
select *
from {{ ref('mart_launch_readiness') }}
where
    at_risk <> (risk_reason is not null)
    or (state = 'blocked' and (not at_risk or blocked_reason is null))
    or (state = 'placed' and len(channels) = 0)
