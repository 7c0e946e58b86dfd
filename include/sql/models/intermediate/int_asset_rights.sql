-- Where each asset may play. Work-level video follows its title's live products; an audio
-- deliverable follows its audio product only (nowhere when that product is unknown); an
-- unmatched asset may play nowhere.
with

matches as (
    select * from {{ ref('int_asset_title_match') }}
),

work_rights as (
    select * from {{ ref('int_work_rights') }}
),

product_rights as (
    select * from {{ ref('int_product_rights') }}
),

final as (
    select
        matches.asset_id,
        matches.work_id,
        matches.product_id,
        case
            when matches.match_method = 'UNMATCHED' then 'UNMATCHED'
            when matches.is_audio_deliverable and product_rights.product_id is null then 'AUDIO_PRODUCT_UNKNOWN'
            when matches.is_audio_deliverable then 'AUDIO_PRODUCT'
            else 'WORK'
        end as rights_basis,
        case
            when matches.match_method = 'UNMATCHED' then []::varchar[]
            when matches.is_audio_deliverable then coalesce(product_rights.regions_whitelist, []::varchar[])
            else work_rights.regions_whitelist
        end as regions_whitelist,
        case
            when matches.match_method = 'UNMATCHED' then []::varchar[]
            when matches.is_audio_deliverable then coalesce(product_rights.regions_blacklist, []::varchar[])
            else work_rights.regions_blacklist
        end as regions_blacklist,
        case
            when matches.match_method = 'UNMATCHED' then false
            when matches.is_audio_deliverable then coalesce(product_rights.allows_anywhere, false)
            else work_rights.allows_anywhere
        end as allows_anywhere
    from matches
    left join work_rights
        on matches.work_id = work_rights.work_id
    left join product_rights
        on
            matches.is_audio_deliverable
            and matches.product_id = product_rights.product_id
)

select * from final
