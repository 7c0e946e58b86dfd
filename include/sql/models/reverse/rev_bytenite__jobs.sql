-- Video job requests the integration owes ByteNite (flows 1, 5, 8): for every live title in a
-- launch-ready stage, one job per deliverable it requires (int_title_required_deliverables: its
-- marketing tier's, and per live audio product in the configured audio forms the tier's audio ones).
-- Observed: a job labelled for the same title and deliverable exists, or a matched asset of that
-- deliverable does (made by hand before the integration) - then nothing is requested.
with

titles as (
    select * from {{ ref('dim_title') }}
),

products as (
    select * from {{ ref('dim_product') }}
),

required as (
    select * from {{ ref('int_title_required_deliverables') }}
),

launch_ready_stages as (
    select * from {{ source('rules', 'launch_ready_stages') }}
),

jobs as (
    select * from {{ ref('stg_bytenite__jobs') }}
),

assets as (
    select * from {{ ref('dim_video_asset') }}
),

metadata as (
    select * from {{ ref('int_video_metadata') }}
),

ready_titles as (
    select
        titles.work_id,
        titles.title,
        titles.tier,
        (
            select arg_min(products.isbn13, products.product_id)
            from products
            where
                products.work_id = titles.work_id
                and products.isbn13 is not null
        ) as isbn13
    from titles
    where
        titles.title_status = 'LIVE'
        and titles.stage in (select launch_ready_stages.stage from launch_ready_stages)
),

requests as (
    select
        ready_titles.work_id,
        ready_titles.title,
        required.deliverable_type,
        required.product_id,
        ready_titles.isbn13,
        required.audio_isbn13
    from ready_titles
    inner join required
        on ready_titles.work_id = required.work_id
),

existing as (
    select
        requests.work_id,
        requests.deliverable_type,
        requests.product_id,
        (
            exists (
                select 1
                from jobs
                where
                    jobs.label_work_id = requests.work_id
                    and jobs.label_deliverable_type = requests.deliverable_type
                    and (requests.product_id is null or jobs.label_audio_product_isbn13 = requests.audio_isbn13)
            )
            or exists (
                select 1
                from assets
                where
                    assets.work_id = requests.work_id
                    and assets.deliverable_type = requests.deliverable_type
                    and (requests.product_id is null or assets.product_id = requests.product_id)
            )
        ) as already_exists
    from requests
),

observed_at as (
    select max(extracted_at) as observed_at from jobs
),

final as (
    select
        'job:' || requests.work_id || ':' || requests.deliverable_type || ':' || coalesce(requests.product_id::varchar, '') as key,
        to_json({
            'deliverableType': 'DELIVERABLE_TYPE_' || requests.deliverable_type,
            'title': requests.title,
            'labels': {
                'consonanceWorkId': requests.work_id::varchar,
                'isbn13': requests.isbn13,
                'deliverableType': 'DELIVERABLE_TYPE_' || requests.deliverable_type,
                'audioProductIsbn13': requests.audio_isbn13
            },
            'metadata': json(metadata.metadata_json)
        })::varchar as desired_json,
        case when existing.already_exists then '{"exists": true}' end as observed_json,
        observed_at.observed_at,
        to_json({
            'work_id': requests.work_id,
            'deliverable_type': requests.deliverable_type,
            'product_id': requests.product_id,
            'isbn13': requests.isbn13,
            'audio_isbn13': requests.audio_isbn13
        })::varchar as context_json
    from requests
    inner join existing
        on
            requests.work_id = existing.work_id
            and requests.deliverable_type = existing.deliverable_type
            and requests.product_id is not distinct from existing.product_id
    left join metadata
        on metadata.metadata_key = requests.work_id || ':' || coalesce(requests.product_id::varchar, '')
    cross join observed_at
)

select * from final
