-- The performance summary each work with video should carry in Consonance (flows 4, 5, 7), as
-- facts: totals, top channels and countries, the launch window against the season's average,
-- deliverables and their status (with each asset's duration, format and thumbnail), compliance
-- findings, and for titles in the readiness window their campaign readiness: the rows of
-- marts.mart_launch_readiness (one definition of readiness), as they will be once this cycle's
-- ByteNite sync has run (a job it requests is in production, an asset it publishes is published,
-- and placed on the channels rev_bytenite__placements enables), the risk from the same rule
-- (macro readiness_risk_reason): the next cycle reads that state back and writes nothing. The Consonance sync renders the facts as
-- the internal marketing text; observed are the work's current internal texts. Enabled
-- placements covering not-for-sale countries are not repeated here: the ByteNite sync of the same
-- cycle restricts them (they stay in mart_compliance_findings for analysts).
with

titles as (
    select * from {{ ref('dim_title') }}
),

assets as (
    select * from {{ ref('dim_video_asset') }}
),

jobs as (
    select * from {{ ref('stg_bytenite__jobs') }}
),

performance as (
    select * from {{ ref('mart_title_performance') }}
),

channel_performance as (
    select * from {{ ref('mart_title_channel_performance') }}
),

country_performance as (
    select * from {{ ref('mart_title_country_performance') }}
),

launch as (
    select * from {{ ref('mart_launch_window') }}
),

findings as (
    select * from {{ ref('mart_compliance_findings') }}
),

windows as (
    select * from {{ source('rules', 'windows') }}
),

texts as (
    select * from {{ ref('stg_consonance__marketing_texts') }}
),

facts as (
    select * from {{ ref('fct_video_daily') }}
),

matched as (
    select * from {{ ref('int_matched_assets_after_sync') }}
),

readiness as (
    select * from {{ ref('mart_launch_readiness') }}
),

requested_now as (
    -- the jobs the ByteNite sync of this cycle creates and runs
    select
        (context_json::json ->> '$.work_id')::bigint as work_id,
        context_json::json ->> '$.deliverable_type' as deliverable_type,
        (context_json::json ->> '$.product_id')::bigint as product_id
    from {{ ref('rev_bytenite__jobs') }}
    where observed_json is null
),

published_now as (
    -- assets published once this cycle's ByteNite sync has run
    select key as asset_id
    from {{ ref('rev_bytenite__publishing') }}
),

enabled_now as (
    -- the channels each asset is enabled on once this cycle's ByteNite sync has run
    select
        context_json::json ->> '$.asset_id' as asset_id,
        list(distinct split_part(key, '|', 2) order by split_part(key, '|', 2)) as channels
    from {{ ref('rev_bytenite__placements') }}
    where (desired_json::json ->> '$.enabled')::boolean
    group by context_json::json ->> '$.asset_id'
),

readiness_after_sync as (
    select
        readiness.*,
        case
            when readiness.state = 'blocked' then 'blocked'
            when
                readiness.asset_id in (select published_now.asset_id from published_now)
                or readiness.state in ('published', 'placed')
                then case when len(coalesce(enabled_now.channels, [])) > 0 then 'placed' else 'published' end
            when readiness.state = 'not requested' and requested_now.work_id is not null then 'in production'
            else readiness.state
        end as state_after_sync,
        enabled_now.channels as channels_after_sync
    from readiness
    left join enabled_now
        on readiness.asset_id = enabled_now.asset_id
    left join requested_now
        on
            readiness.work_id = requested_now.work_id
            and readiness.deliverable_type = requested_now.deliverable_type
            and readiness.product_id is not distinct from requested_now.product_id
),

readiness_lines as (
    select
        work_id,
        {
            'publicationDate': strftime(any_value(first_publication_date), '%Y-%m-%d'),
            'daysToPublication': any_value(days_to_publication),
            'deliverables': list(
                {
                    'type': deliverable_type,
                    'audioIsbn13': audio_isbn13,
                    'state': state_after_sync,
                    'channels': case when state_after_sync = 'placed' then channels_after_sync else []::varchar[] end,
                    'riskReason': {{ readiness_risk_reason(
                        'state_after_sync', 'blocked_reason', 'as_of_date', 'ready_by_date',
                        'ready_days_before', 'placed_by_date', 'placed_days_before'
                    ) }}
                }
                order by deliverable_type, audio_isbn13
            )
        } as readiness
    from readiness_after_sync
    group by work_id
),

to_request as (
    select
        (context_json::json ->> '$.work_id')::bigint as work_id,
        context_json::json ->> '$.deliverable_type' as deliverable_type
    from {{ ref('rev_bytenite__jobs') }}
    where observed_json is null
),

deliverables as (
    -- matched assets, jobs whose asset does not exist yet, and the jobs and publications the
    -- ByteNite sync makes in this same cycle (so the summary converges in one pass); duration,
    -- format and thumbnail only for assets ByteNite has finished (READY and after)
    select
        work_id,
        deliverable_type,
        case
            when publishing_status_after_sync = 'DRAFT' then 'IN_PRODUCTION'
            else publishing_status_after_sync
        end as status,
        -- an asset still in production (DRAFT) is listed by its status only, as a job is: this
        -- cycle's job requests then read the same as the next cycle's draft assets
        case when publishing_status <> 'DRAFT' then duration_seconds end as duration_seconds,
        case when publishing_status <> 'DRAFT' then format end as format,
        case when publishing_status <> 'DRAFT' then thumbnail_url end as thumbnail_url
    from matched
    union all
    select
        jobs.label_work_id as work_id,
        jobs.label_deliverable_type as deliverable_type,
        case when jobs.state like '%FAILED%' then 'FAILED' else 'IN_PRODUCTION' end as status,
        null::double as duration_seconds,
        null::varchar as format,
        null::varchar as thumbnail_url
    from jobs
    where
        jobs.label_work_id is not null
        and jobs.label_deliverable_type is not null
        and not exists (
            select 1 from assets
            where assets.job_id = jobs.job_id
        )
    union all
    select
        work_id,
        deliverable_type,
        'IN_PRODUCTION' as status,
        null::double as duration_seconds,
        null::varchar as format,
        null::varchar as thumbnail_url
    from to_request
),

video_works as (
    select distinct work_id from deliverables
),

deliverable_lists as (
    select
        work_id,
        list(
            {
                'type': deliverable_type,
                'status': status,
                'durationSeconds': duration_seconds,
                'format': format,
                'thumbnailUrl': thumbnail_url
            }
            order by deliverable_type, status, thumbnail_url, duration_seconds
        ) as deliverables
    from deliverables
    group by work_id
),

top_channels as (
    select
        work_id,
        list({ 'channel': channel, 'views': views } order by views desc, channel asc)[1:3] as top_channels
    from channel_performance
    where views > 0
    group by work_id
),

top_countries as (
    select
        work_id,
        list({ 'country': country, 'views': views } order by views desc, country asc)[1:5] as top_countries
    from country_performance
    where views > 0
    group by work_id
),

not_for_sale as (
    select
        work_id,
        sum(views_not_for_sale) as views_not_for_sale,
        list(country order by country) filter (where views_not_for_sale > 0) as countries
    from country_performance
    group by work_id
),

placement_findings as (
    select
        work_id,
        count(*) filter (where finding_type = 'PUBLISHED_ASSET_OF_WITHDRAWN_TITLE') as published_assets_of_withdrawn_title
    from findings
    where work_id is not null
    group by work_id
),

launch_views as (
    select
        work_id,
        sum(views) as views
    from launch
    group by work_id
),

season_launch as (
    select
        titles.season_name,
        avg(launch_views.views) as average_views,
        count(*) as titles
    from launch_views
    inner join titles
        on launch_views.work_id = titles.work_id
    group by titles.season_name
),

as_of as (
    select max(metric_date) as as_of_date from facts
),

summary_facts as (
    select
        video_works.work_id,
        {
            'workId': video_works.work_id,
            'title': titles.title,
            'asOf': strftime(as_of.as_of_date, '%Y-%m-%d'),
            'views': coalesce(performance.views, 0),
            'watchTimeSeconds': coalesce(performance.watch_time_seconds, 0),
            'completionRate': round(coalesce(performance.completion_rate, 0), 4),
            'engagementRate': round(coalesce(performance.engagement_rate, 0), 4),
            'firstMetricDate': strftime(performance.first_metric_date, '%Y-%m-%d'),
            'topChannels': coalesce(top_channels.top_channels, []),
            'topCountries': coalesce(top_countries.top_countries, []),
            'launchWindow': {
                'startDay': windows.launch_window_start_day,
                'endDay': windows.launch_window_end_day,
                'views': launch_views.views,
                'season': titles.season_name,
                'seasonAverageViews': round(season_launch.average_views, 1),
                'seasonTitles': season_launch.titles
            },
            'deliverables': coalesce(deliverable_lists.deliverables, []),
            'readiness': readiness_lines.readiness,
            'compliance': {
                'viewsInNotForSaleCountries': coalesce(not_for_sale.views_not_for_sale, 0),
                'notForSaleCountriesWithViews': coalesce(not_for_sale.countries, []),
                'publishedAssetsOfWithdrawnTitle': coalesce(placement_findings.published_assets_of_withdrawn_title, 0)
            }
        } as summary
    from video_works
    inner join titles
        on video_works.work_id = titles.work_id
    cross join windows
    cross join as_of
    left join performance on video_works.work_id = performance.work_id
    left join top_channels on video_works.work_id = top_channels.work_id
    left join top_countries on video_works.work_id = top_countries.work_id
    left join not_for_sale on video_works.work_id = not_for_sale.work_id
    left join placement_findings on video_works.work_id = placement_findings.work_id
    left join launch_views on video_works.work_id = launch_views.work_id
    left join season_launch on titles.season_name = season_launch.season_name
    left join deliverable_lists on video_works.work_id = deliverable_lists.work_id
    left join readiness_lines on video_works.work_id = readiness_lines.work_id
),

internal_texts as (
    select
        work_id,
        list({ 'id': marketing_text_id, 'text': internal_text_markdown } order by marketing_text_id) as texts,
        max(extracted_at) as extracted_at
    from texts
    where coalesce(internal_text_markdown, '') <> ''
    group by work_id
),

final as (
    select
        coalesce(summary_facts.work_id, internal_texts.work_id)::varchar as key,
        to_json(summary_facts.summary)::varchar as desired_json,
        case when internal_texts.work_id is not null then to_json({ 'texts': internal_texts.texts })::varchar end as observed_json,
        internal_texts.extracted_at as observed_at,
        to_json({ 'work_id': coalesce(summary_facts.work_id, internal_texts.work_id) })::varchar as context_json
    from summary_facts
    full outer join internal_texts
        on summary_facts.work_id = internal_texts.work_id
)

select * from final
