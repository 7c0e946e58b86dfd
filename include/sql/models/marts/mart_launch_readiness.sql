-- Campaign readiness (flow 5): one row per title x required deliverable for every title whose
-- first publication date falls from readiness_days_back days before the as-of date (the day of
-- ByteNite's current snapshot) to readiness_days_ahead days after it. Required: the deliverables
-- of int_title_required_deliverables (the tier's, and the tier's audio ones per live audio
-- product in the configured forms; rev_bytenite__jobs requests the same). State, from ByteNite's current
-- snapshot, the most advanced of the deliverable's assets and jobs:
--   placed (published, enabled on channels) > published > ready (made, not published) >
--   in production (a job running or a draft asset) > requested (a job not started) >
--   blocked (a job failed, publishing failed) > not requested (nothing in ByteNite).
-- A title whose video may play nowhere (no rights anywhere, or not live) blocks every row.
-- At risk (business rules, readiness.*; the macro readiness_risk_reason, which the performance
-- summary's readiness lines share): blocked, not ready ready_days_before days before
-- publication, or not placed placed_days_before days before it.
with

as_of as (
    select as_of_date from {{ ref('stg_bytenite__current_snapshot') }}
),

windows as (
    select * from {{ source('rules', 'windows') }}
),

deadlines as (
    select * from {{ source('rules', 'readiness_deadlines') }}
),

titles as (
    select * from {{ ref('dim_title') }}
),

required_deliverables as (
    select * from {{ ref('int_title_required_deliverables') }}
),

launch_ready_stages as (
    select * from {{ source('rules', 'launch_ready_stages') }}
),

deliverable_channels as (
    select * from {{ source('rules', 'deliverable_channels') }}
),

assets as (
    select * from {{ ref('dim_video_asset') }}
    where
        in_current_snapshot
        and work_id is not null
),

jobs as (
    select * from {{ ref('stg_bytenite__jobs') }}
),

placements as (
    select * from {{ ref('fct_placement_current') }}
),

window_titles as (
    select
        titles.*,
        as_of.as_of_date,
        titles.first_publication_date - as_of.as_of_date as days_to_publication
    from titles
    cross join as_of
    cross join windows
    where
        titles.first_publication_date
        between as_of.as_of_date - windows.readiness_days_back
        and as_of.as_of_date + windows.readiness_days_ahead
),

required as (
    select
        required_deliverables.work_id,
        required_deliverables.deliverable_type,
        required_deliverables.product_id,
        required_deliverables.audio_isbn13
    from window_titles
    inner join required_deliverables
        on window_titles.work_id = required_deliverables.work_id
),

enabled_channels as (
    select
        asset_id,
        list(distinct channel order by channel) as channels
    from placements
    where is_enabled
    group by asset_id
),

candidates as (
    -- every asset of a required deliverable, with the state it gives
    select
        required.work_id,
        required.deliverable_type,
        required.product_id,
        assets.asset_id,
        assets.job_id,
        case
            when assets.publishing_status = 'PUBLISHED' and enabled_channels.channels is not null then 'placed'
            when assets.publishing_status = 'PUBLISHED' then 'published'
            when assets.publishing_status in ('READY', 'UNPUBLISHED') then 'ready'
            when assets.publishing_status = 'DRAFT' then 'in production'
            else 'blocked'
        end as state,
        case when assets.publishing_status = 'FAILED' then 'publishing failed' end as blocked_reason,
        case when assets.publishing_status = 'PUBLISHED' then enabled_channels.channels end as channels
    from required
    inner join assets
        on
            required.work_id = assets.work_id
            and required.deliverable_type = assets.deliverable_type
            and (required.product_id is null or required.product_id = assets.product_id)
    left join enabled_channels
        on assets.asset_id = enabled_channels.asset_id
    union all
    -- every job of a required deliverable whose asset does not exist (yet)
    select
        required.work_id,
        required.deliverable_type,
        required.product_id,
        null as asset_id,
        jobs.job_id,
        case
            when jobs.state in ('FAILED', 'ABORTED') then 'blocked'
            when jobs.state = 'NEW' then 'requested'
            else 'in production'
        end as state,
        case
            when jobs.state in ('FAILED', 'ABORTED')
                then 'job ' || lower(jobs.state) || coalesce(': ' || jobs.error_message, '')
        end as blocked_reason,
        null::varchar[] as channels
    from required
    inner join jobs
        on
            required.work_id = jobs.label_work_id
            and required.deliverable_type = jobs.label_deliverable_type
            and (required.product_id is null or required.audio_isbn13 = jobs.label_audio_product_isbn13)
    where not exists (
        select 1 from assets
        where assets.job_id = jobs.job_id
    )
),

ranked as (
    select
        *,
        case state
            when 'placed' then 6
            when 'published' then 5
            when 'ready' then 4
            when 'in production' then 3
            when 'requested' then 2
            when 'blocked' then 1
        end as state_rank
    from candidates
),

best as (
    select
        work_id,
        deliverable_type,
        product_id,
        arg_max(
            {
                'state': state, 'state_rank': state_rank, 'asset_id': asset_id, 'job_id': job_id,
                'blocked_reason': blocked_reason, 'channels': channels
            },
            -- the most advanced; among equals the asset, then the highest id (deterministic)
            (state_rank, asset_id is not null, coalesce(asset_id, job_id))
        ) as pick
    from ranked
    group by work_id, deliverable_type, product_id
),

readiness as (
    select
        window_titles.as_of_date,
        window_titles.work_id,
        window_titles.title,
        window_titles.imprint_name,
        window_titles.season_name,
        window_titles.tier,
        window_titles.stage,
        window_titles.stage in (select launch_ready_stages.stage from launch_ready_stages) as in_launch_ready_stage,
        window_titles.title_status,
        window_titles.rights_status,
        window_titles.first_publication_date,
        window_titles.days_to_publication,
        required.deliverable_type,
        required.product_id,
        required.audio_isbn13,
        case
            when window_titles.title_status <> 'LIVE' then 'blocked'
            when not window_titles.allows_anywhere then 'blocked'
            else coalesce(best.pick.state, 'not requested')
        end as state,
        case
            when window_titles.title_status <> 'LIVE' then 'title ' || lower(window_titles.title_status)
            when not window_titles.allows_anywhere then 'no rights anywhere'
            else best.pick.blocked_reason
        end as blocked_reason,
        coalesce(best.pick.channels, []::varchar[]) as channels,
        best.pick.asset_id,
        best.pick.job_id,
        deadlines.ready_days_before,
        deadlines.placed_days_before,
        window_titles.first_publication_date - deadlines.ready_days_before as ready_by_date,
        window_titles.first_publication_date - deadlines.placed_days_before as placed_by_date
    from required
    inner join window_titles
        on required.work_id = window_titles.work_id
    inner join deadlines
        on required.deliverable_type = deadlines.deliverable_type
    left join best
        on
            required.work_id = best.work_id
            and required.deliverable_type = best.deliverable_type
            and required.product_id is not distinct from best.product_id
),

final as (
    select
        readiness.*,
        case state
            when 'placed' then 6
            when 'published' then 5
            when 'ready' then 4
            when 'in production' then 3
            when 'requested' then 2
            when 'not requested' then 1
            when 'blocked' then 0
        end as state_rank,
        list_filter(
            (
                select list(deliverable_channels.channel order by deliverable_channels.channel)
                from deliverable_channels
                where deliverable_channels.deliverable_type = readiness.deliverable_type
            ),
            lambda missing: not list_contains(readiness.channels, missing)
        ) as channels_missing,
        {{ readiness_risk_reason(
            'state', 'blocked_reason', 'as_of_date', 'ready_by_date', 'ready_days_before',
            'placed_by_date', 'placed_days_before'
        ) }} as risk_reason
    from readiness
)

select
    * exclude (risk_reason),
    risk_reason is not null as at_risk,
    risk_reason
from final
