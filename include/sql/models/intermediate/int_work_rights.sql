-- Where a work's (title's) video may play: wherever at least one of its live products is for
-- sale. The union of the live products' regions, as one (whitelist, blacklist) pair:
--   * some live product is world-wide (for_sale empty): whitelist empty, blacklist = countries
--     every world-wide live product excludes and no territory-list live product sells;
--   * otherwise: whitelist = union of the territory-list products' sellable countries;
--   * no live product: nowhere (allows_anywhere = false).
with

works as (
    select work_id from {{ ref('stg_consonance__works') }}
),

product_rights as (
    select * from {{ ref('int_product_rights') }}
),

live_world_products as (
    select
        work_id,
        product_id,
        regions_blacklist
    from product_rights
    where rights_status in ('WORLD', 'WORLD_EXCEPT')
),

live_world_counts as (
    select
        work_id,
        count(*) as n_world_products
    from live_world_products
    group by work_id
),

territory_countries as (
    select distinct
        work_id,
        unnest(regions_whitelist) as country
    from product_rights
    where rights_status = 'TERRITORIES'
),

world_exclusions as (
    select
        work_id,
        country,
        count(*) as n_excluding
    from (
        select
            work_id,
            unnest(regions_blacklist) as country
        from live_world_products
    ) as excluded
    group by work_id, country
),

blacklists as (
    select
        world_exclusions.work_id,
        list_sort(list(world_exclusions.country)) as countries
    from world_exclusions
    inner join live_world_counts
        on world_exclusions.work_id = live_world_counts.work_id
    left join territory_countries
        on
            world_exclusions.work_id = territory_countries.work_id
            and world_exclusions.country = territory_countries.country
    where
        world_exclusions.n_excluding = live_world_counts.n_world_products
        and territory_countries.country is null
    group by world_exclusions.work_id
),

whitelists as (
    select
        work_id,
        list_sort(list(country)) as countries
    from territory_countries
    group by work_id
),

product_counts as (
    select
        work_id,
        count(*) as n_products,
        count(*) filter (where is_live) as n_live_products,
        count(*) filter (where is_withdrawn) as n_withdrawn_products
    from product_rights
    group by work_id
),

final as (
    select
        works.work_id,
        coalesce(product_counts.n_products, 0) as n_products,
        coalesce(product_counts.n_live_products, 0) as n_live_products,
        coalesce(product_counts.n_withdrawn_products, 0) as n_withdrawn_products,
        case
            when product_counts.n_live_products > 0 then 'LIVE'
            when
                product_counts.n_products > 0
                and product_counts.n_withdrawn_products = product_counts.n_products then 'WITHDRAWN'
            when product_counts.n_products > 0 then 'INACTIVE'
            else 'NO_PRODUCTS'
        end as title_status,
        case
            when live_world_counts.n_world_products > 0 and blacklists.countries is null then 'WORLD'
            when live_world_counts.n_world_products > 0 then 'WORLD_EXCEPT'
            when whitelists.countries is not null then 'TERRITORIES'
            else 'NONE'
        end as rights_status,
        case
            when live_world_counts.n_world_products > 0 then []::varchar[]
            else coalesce(whitelists.countries, []::varchar[])
        end as regions_whitelist,
        case
            when live_world_counts.n_world_products > 0 then coalesce(blacklists.countries, []::varchar[])
            else []::varchar[]
        end as regions_blacklist,
        coalesce(live_world_counts.n_world_products > 0, false)
        or whitelists.countries is not null as allows_anywhere
    from works
    left join product_counts
        on works.work_id = product_counts.work_id
    left join live_world_counts
        on works.work_id = live_world_counts.work_id
    left join blacklists
        on works.work_id = blacklists.work_id
    left join whitelists
        on works.work_id = whitelists.work_id
)

select * from final
