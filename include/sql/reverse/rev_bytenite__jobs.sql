-- Video job requests the integration owes ByteNite (flows 1, 5, 8): for every live title in a
-- launch-ready stage, one job per deliverable its marketing tier requires, and for each of its
-- live audio products (in the configured audio forms) one job per audio deliverable of the tier.
-- Observed: a job labelled for the same title and deliverable exists, or a matched asset of that
-- deliverable does (made by hand before the integration) - then nothing is requested.
with

titles as (
    select * from dim_title
),

products as (
    select * from dim_product
),

tier_deliverables as (
    select * from tier_deliverables
),

launch_ready_stages as (
    select * from launch_ready_stages
),

audio_forms as (
    select * from audio_forms
),

jobs as (
    select * from stg_bytenite__jobs
),

assets as (
    select * from dim_video_asset
),

metadata as (
    select * from rev_video_metadata
),

ready_titles as (
    select
        titles.work_id,
        titles.title,
        titles.tier,
        (
            select arg_min(products.isbn13, products.product_id)
            from products
            where products.work_id = titles.work_id
                and products.isbn13 is not null
        ) as isbn13
    from titles
    where titles.title_status = 'LIVE'
        and titles.stage in (select stage from launch_ready_stages)
),

work_requests as (
    select
        ready_titles.work_id,
        ready_titles.title,
        tier_deliverables.deliverable_type,
        null::bigint as product_id,
        ready_titles.isbn13,
        null::varchar as audio_isbn13
    from ready_titles
    inner join tier_deliverables
        on ready_titles.tier = tier_deliverables.tier
        and not tier_deliverables.is_audio
),

audio_requests as (
    select
        ready_titles.work_id,
        ready_titles.title,
        tier_deliverables.deliverable_type,
        products.product_id,
        ready_titles.isbn13,
        products.isbn13 as audio_isbn13
    from ready_titles
    inner join products
        on ready_titles.work_id = products.work_id
        and products.is_live
        and products.product_form_code in (select product_form_code from audio_forms)
    inner join tier_deliverables
        on ready_titles.tier = tier_deliverables.tier
        and tier_deliverables.is_audio
),

requests as (
    select * from work_requests
    union all
    select * from audio_requests
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
                where jobs.label_work_id = requests.work_id
                    and jobs.label_deliverable_type = requests.deliverable_type
                    and (requests.product_id is null or jobs.label_audio_product_isbn13 = requests.audio_isbn13)
            )
            or exists (
                select 1
                from assets
                where assets.work_id = requests.work_id
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
        on requests.work_id = existing.work_id
        and requests.deliverable_type = existing.deliverable_type
        and requests.product_id is not distinct from existing.product_id
    left join metadata
        on metadata.metadata_key = requests.work_id || ':' || coalesce(requests.product_id::varchar, '')
    cross join observed_at
)

select * from final
