-- Consonance products. Products are extracted nested under their work, so a work's products come
-- from that work's latest extraction: a product deleted upstream disappears with it.
with

source as (
    select * from raw_consonance__products
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
            partition by product_id
            order by _extracted_at desc, extracted_on desc
        ) as version_rank
    from from_latest_work_extraction
),

final as (
    select
        product_id,
        work_id,
        product_type,
        isbn13,
        full_title,
        subtitle,
        product_form_code,
        publishing_status_code,
        publication_date,
        planned_publication_date,
        coalesce(for_sale_country_codes, []) as for_sale_country_codes,
        coalesce(not_for_sale_country_codes, []) as not_for_sale_country_codes,
        is_for_sale_worldwide,
        sales_rights_description,
        coalesce(prices, []) as prices,
        extracted_on,
        _extracted_at as extracted_at
    from ranked
    where version_rank = 1
)

select * from final
