-- Consonance web links on products, from their work's latest extraction (a removed link
-- disappears).
with

latest as (
    {{ consonance_latest_of_work('web_links', 'web_link_id') }}
),

final as (
    select
        web_link_id,
        work_id,
        product_id,
        link,
        role_code,
        description,
        include_in_onix,
        extracted_on,
        _extracted_at as extracted_at
    from latest
)

select * from final
