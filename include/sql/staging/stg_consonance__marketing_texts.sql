-- Consonance marketing texts, from their work's latest extraction (a deleted text disappears).
with

source as (
    select * from raw_consonance__marketing_texts
),

latest_work_extractions as (
    select
        work_id,
        extracted_on
    from stg_consonance__works
),

from_latest_work_extraction as (
    select source.*
    from source
    inner join latest_work_extractions
        on source.work_id = latest_work_extractions.work_id
        and source.extracted_on = latest_work_extractions.extracted_on
),

ranked as (
    select
        *,
        row_number() over (
            partition by marketing_text_id
            order by _extracted_at desc, extracted_on desc
        ) as version_rank
    from from_latest_work_extraction
),

final as (
    select
        marketing_text_id,
        work_id,
        coalesce(product_ids, []) as product_ids,
        variant,
        external_text,
        internal_text_markdown,
        extracted_on,
        _extracted_at as extracted_at
    from ranked
    where version_rank = 1
)

select * from final
