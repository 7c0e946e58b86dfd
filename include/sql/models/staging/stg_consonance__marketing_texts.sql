-- Consonance marketing texts, from their work's latest extraction (a deleted text disappears).
with

latest as (
    {{ consonance_latest_of_work('marketing_texts', 'marketing_text_id') }}
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
    from latest
)

select * from final
