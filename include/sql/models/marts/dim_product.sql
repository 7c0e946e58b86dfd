-- One row per Consonance product, with its status and its own video rights (audio deliverables
-- follow their audio product).
with

products as (
    select * from {{ ref('stg_consonance__products') }}
),

product_rights as (
    select * from {{ ref('int_product_rights') }}
),

statuses as (
    select * from {{ ref('onix_publishing_status') }}
),

final as (
    select
        products.product_id,
        products.work_id,
        products.isbn13,
        products.product_type,
        products.product_form_code,
        product_rights.is_audio,
        products.full_title,
        products.subtitle,
        products.publishing_status_code,
        statuses.description as publishing_status,
        product_rights.is_live,
        product_rights.is_withdrawn,
        products.publication_date,
        products.planned_publication_date,
        product_rights.for_sale_country_codes,
        product_rights.not_for_sale_country_codes,
        products.sales_rights_description,
        product_rights.rights_status,
        product_rights.regions_whitelist,
        product_rights.regions_blacklist,
        product_rights.allows_anywhere,
        products.extracted_at
    from products
    inner join product_rights
        on products.product_id = product_rights.product_id
    left join statuses
        on products.publishing_status_code = statuses.publishing_status_code
)

select * from final
