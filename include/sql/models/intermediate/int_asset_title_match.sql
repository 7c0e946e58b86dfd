-- Which title (work) and product each ByteNite asset belongs to. Labels first: the
-- consonance_work_id label, if it names a known work. Then ISBN-13: for audio deliverables the
-- audio_product_isbn13 label (that audio product), else the isbn13 label (its product's work).
-- Anything else is unmatched, with the reason: the work id label names no known work, an ISBN
-- label names no known product, or the asset has no labels at all.
with

assets as (
    select * from {{ ref('stg_bytenite__assets') }}
),

works as (
    select work_id from {{ ref('stg_consonance__works') }}
),

products as (
    select
        product_id,
        work_id,
        isbn13,
        is_audio
    from {{ ref('int_product_rights') }}
),

products_by_isbn as (
    -- an ISBN-13 is unique in a healthy catalogue; if not, the lowest product id wins
    select *
    from products
    where isbn13 is not null
    qualify row_number() over (partition by isbn13 order by product_id) = 1
),

deliverables as (
    select * from {{ source('rules', 'deliverable_types') }}
),

labelled as (
    select
        assets.asset_id,
        coalesce(assets.deliverable_type, assets.label_deliverable_type) as deliverable_type,
        coalesce(deliverables.is_audio, false) as is_audio_deliverable,
        assets.label_consonance_work_id,
        assets.label_work_id,
        assets.label_isbn13,
        assets.label_audio_product_isbn13
    from assets
    left join deliverables
        on coalesce(assets.deliverable_type, assets.label_deliverable_type) = deliverables.deliverable_type
),

resolved as (
    select
        labelled.*,
        label_work.work_id as work_from_label,
        isbn_product.product_id as isbn_product_id,
        isbn_product.work_id as isbn_product_work_id,
        isbn_product.is_audio as isbn_product_is_audio,
        audio_product.product_id as audio_product_id,
        audio_product.work_id as audio_product_work_id
    from labelled
    left join works as label_work
        on labelled.label_work_id = label_work.work_id
    left join products_by_isbn as isbn_product
        on labelled.label_isbn13 = isbn_product.isbn13
    left join products_by_isbn as audio_product
        on
            labelled.label_audio_product_isbn13 = audio_product.isbn13
            and audio_product.is_audio
),

matched as (
    select
        *,
        case
            when work_from_label is not null then 'WORK_ID_LABEL'
            when is_audio_deliverable and audio_product_id is not null then 'AUDIO_ISBN13_LABEL'
            when isbn_product_id is not null then 'ISBN13_LABEL'
            else 'UNMATCHED'
        end as match_method,
        coalesce(
            work_from_label,
            case when is_audio_deliverable then audio_product_work_id end,
            isbn_product_work_id
        ) as matched_work_id
    from resolved
),

final as (
    select
        asset_id,
        deliverable_type,
        is_audio_deliverable,
        matched_work_id as work_id,
        case
            -- the audio product an audio deliverable follows: its audio ISBN label, else an
            -- isbn13 label that names an audio product of the same work
            when is_audio_deliverable and audio_product_work_id = matched_work_id then audio_product_id
            when is_audio_deliverable and isbn_product_is_audio and isbn_product_work_id = matched_work_id
                then isbn_product_id
            when not is_audio_deliverable and isbn_product_work_id = matched_work_id then isbn_product_id
        end as product_id,
        match_method,
        case
            when match_method <> 'UNMATCHED' then null
            when label_consonance_work_id is not null then 'UNKNOWN_WORK_ID'
            when label_isbn13 is not null or label_audio_product_isbn13 is not null then 'UNKNOWN_ISBN'
            else 'NO_LABELS'
        end as unmatched_reason
    from matched
)

select * from final
