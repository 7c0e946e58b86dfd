-- The deliverables each title requires (flows 1, 5, 8): the deliverables of its marketing tier, and
-- for each of its live audio products in the configured audio forms the tier's audio deliverables.
-- One declaration of the rule for rev_bytenite__jobs (what to request, of the live launch-ready
-- titles) and mart_launch_readiness (what to track, of the titles in the launch window).
with

titles as (
    select * from {{ ref('dim_title') }}
),

products as (
    select * from {{ ref('dim_product') }}
),

tier_deliverables as (
    select * from {{ source('rules', 'tier_deliverables') }}
),

audio_forms as (
    select * from {{ source('rules', 'audio_forms') }}
),

work_deliverables as (
    select
        titles.work_id,
        tier_deliverables.deliverable_type,
        null::bigint as product_id,
        null::varchar as audio_isbn13
    from titles
    inner join tier_deliverables
        on
            titles.tier = tier_deliverables.tier
            and not tier_deliverables.is_audio
),

audio_deliverables as (
    select
        titles.work_id,
        tier_deliverables.deliverable_type,
        products.product_id,
        products.isbn13 as audio_isbn13
    from titles
    inner join products
        on
            titles.work_id = products.work_id
            and products.is_live
            and products.product_form_code in (select audio_forms.product_form_code from audio_forms)
    inner join tier_deliverables
        on
            titles.tier = tier_deliverables.tier
            and tier_deliverables.is_audio
),

final as (
    select * from work_deliverables
    union all
    select * from audio_deliverables
)

select * from final
