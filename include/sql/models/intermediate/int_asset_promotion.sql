-- When and where each matched asset may be promoted (issue 18, flow 4: time periods and
-- per-channel restrictions), as of the latest ByteNite snapshot date.
--   * A product's promotion window opens at the start of its pre-order window (publication date
--     minus windows.pre_order_days) or, where Consonance gives a sales embargo date and the rules
--     respect it, not before that date; it closes (exclusive) on its out-of-print / permanently
--     withdrawn date when the rules end placements there. Null bounds are open.
--   * An asset is inside its window when one of the products its rights follow (the work's live
--     products; an audio deliverable's audio product) is live and inside its own window.
--   * restricted_channels: the channels the business rules keep the title's imprint off.
with

asset_rights as (
    select * from {{ ref('int_asset_rights') }}
),

product_rights as (
    select * from {{ ref('int_product_rights') }}
),

products as (
    select * from {{ ref('stg_consonance__products') }}
),

works as (
    select * from {{ ref('stg_consonance__works') }}
),

windows as (
    select * from {{ source('rules', 'windows') }}
),

placement_window as (
    select * from {{ source('rules', 'placement_window') }}
),

restrictions as (
    select * from {{ source('rules', 'channel_restrictions') }}
),

as_of as (
    select as_of_date from {{ ref('stg_bytenite__current_snapshot') }}
),

product_windows as (
    select
        product_rights.product_id,
        product_rights.work_id,
        product_rights.is_live,
        greatest(
            products.publication_date - windows.pre_order_days::integer,
            case when placement_window.respect_sales_embargo then products.sales_embargo_date end
        ) as promote_from,
        case when placement_window.end_at_out_of_print then products.out_of_print_date end as promote_until
    from product_rights
    inner join products
        on product_rights.product_id = products.product_id
    cross join windows
    cross join placement_window
),

followed as (
    -- the products whose rights each matched asset follows
    select
        asset_rights.asset_id,
        asset_rights.work_id,
        product_windows.is_live,
        product_windows.promote_from,
        product_windows.promote_until
    from asset_rights
    inner join product_windows
        on
            asset_rights.work_id = product_windows.work_id
            and (asset_rights.rights_basis = 'WORK' or asset_rights.product_id = product_windows.product_id)
    where asset_rights.rights_basis in ('WORK', 'AUDIO_PRODUCT')
),

asset_windows as (
    select
        followed.asset_id,
        followed.work_id,
        min(followed.promote_from) filter (where followed.is_live) as promote_from,
        case
            when bool_or(followed.is_live and followed.promote_until is null) then null
            else max(followed.promote_until) filter (where followed.is_live)
        end as promote_until,
        coalesce(bool_or(
            followed.is_live
            and (followed.promote_from is null or as_of.as_of_date >= followed.promote_from)
            and (followed.promote_until is null or as_of.as_of_date < followed.promote_until)
        ), false) as in_window
    from followed
    cross join as_of
    group by followed.asset_id, followed.work_id
),

final as (
    select
        asset_rights.asset_id,
        asset_rights.work_id,
        as_of.as_of_date,
        asset_windows.promote_from,
        asset_windows.promote_until,
        coalesce(asset_windows.in_window, false) as in_window,
        coalesce(
            (
                select list_sort(list(restrictions.channel))
                from restrictions
                where restrictions.imprint_name = works.imprint_name
            ),
            []::varchar[]
        ) as restricted_channels
    from asset_rights
    cross join as_of
    left join asset_windows
        on asset_rights.asset_id = asset_windows.asset_id
    left join works
        on asset_rights.work_id = works.work_id
)

select * from final
