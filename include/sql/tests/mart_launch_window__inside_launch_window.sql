-- mart_launch_window: inside_launch_window (the rows returned break the rule)
select mart.*
from {{ ref('mart_launch_window') }} as mart
cross join {{ source('rules', 'windows') }} as windows
where
    mart.days_from_publication < windows.launch_window_start_day
    or mart.days_from_publication > windows.launch_window_end_day
