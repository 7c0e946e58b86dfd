-- Where a product's video may play, as a ByteNite-style (whitelist, blacklist) pair. A product
-- is for sale in a country when the country is not in not_for_sale and (for_sale is empty — the
-- world — or the country is in for_sale). Only live products (ONIX 64: 02 Forthcoming, 04
-- Active) count; any other status allows nowhere.
with

products as (
    select * from {{ ref('stg_consonance__products') }}
),

statuses as (
    select * from {{ ref('onix_publishing_status') }}
),

classified as (
    select
        products.product_id,
        products.work_id,
        products.isbn13,
        products.product_form_code,
        coalesce(products.product_form_code like 'A%', false) as is_audio,
        products.publishing_status_code,
        coalesce(statuses.is_live, false) as is_live,
        coalesce(statuses.is_withdrawn, false) as is_withdrawn,
        list_sort(list_distinct(products.for_sale_country_codes)) as for_sale_country_codes,
        list_sort(list_distinct(products.not_for_sale_country_codes)) as not_for_sale_country_codes
    from products
    left join statuses
        on products.publishing_status_code = statuses.publishing_status_code
),

territories as (
    select
        *,
        len(for_sale_country_codes) = 0 as is_world,
        list_filter(
            for_sale_country_codes,
            lambda country: not list_contains(not_for_sale_country_codes, country)
        ) as sellable_territories
    from classified
),

final as (
    select
        product_id,
        work_id,
        isbn13,
        product_form_code,
        is_audio,
        publishing_status_code,
        is_live,
        is_withdrawn,
        for_sale_country_codes,
        not_for_sale_country_codes,
        case
            when not is_live then 'NONE'
            when is_world and len(not_for_sale_country_codes) = 0 then 'WORLD'
            when is_world then 'WORLD_EXCEPT'
            when len(sellable_territories) > 0 then 'TERRITORIES'
            else 'NONE'
        end as rights_status,
        case
            when is_live and not is_world then sellable_territories
            else []::varchar[]
        end as regions_whitelist,
        case
            when is_live and is_world then not_for_sale_country_codes
            else []::varchar[]
        end as regions_blacklist,
        is_live and (is_world or len(sellable_territories) > 0) as allows_anywhere
    from territories
)

select * from final
