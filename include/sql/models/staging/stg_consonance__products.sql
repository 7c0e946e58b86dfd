-- Consonance products. Products are extracted nested under their work, so a work's products come
-- from that work's latest extraction: a product deleted upstream disappears with it.
with

latest as (
    {{ consonance_latest_of_work('products', 'product_id') }}
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
        sales_embargo_date,
        out_of_print_date,
        coalesce(for_sale_country_codes, []) as for_sale_country_codes,
        coalesce(not_for_sale_country_codes, []) as not_for_sale_country_codes,
        is_for_sale_worldwide,
        sales_rights_description,
        coalesce(prices, []) as prices,
        extracted_on,
        _extracted_at as extracted_at
    from latest
)

select * from final
