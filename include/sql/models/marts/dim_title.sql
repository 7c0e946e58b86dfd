-- One row per Consonance work (title), with what analysts slice by and the rights a sync needs.
with

works as (
    select * from {{ ref('stg_consonance__works') }}
),

products as (
    select * from {{ ref('stg_consonance__products') }}
),

work_rights as (
    select * from {{ ref('int_work_rights') }}
),

genres as (
    select
        works.work_id,
        list_filter(works.subjects, lambda subject: subject.scheme = 'BISAC') as bisac,
        list_filter(works.subjects, lambda subject: subject.scheme = 'THEMA') as thema
    from works
),

main_genres as (
    -- the subject flagged main in each scheme, else the scheme's first subject
    select
        genres.work_id,
        coalesce(list_filter(genres.bisac, lambda subject: subject.main)[1], genres.bisac[1]) as main_bisac,
        coalesce(list_filter(genres.thema, lambda subject: subject.main)[1], genres.thema[1]) as main_thema
    from genres
),

resources as (
    select
        work_id,
        unnest(supporting_resources) as resource
    from works
),

covers as (
    -- the work's front cover: a FRONT_COVER supporting resource with a URL, not archived or still
    -- processing; an approved one first, then the newest
    select
        work_id,
        first(
            resource.url
            order by (resource.status = 'APPROVED') desc, resource.supporting_resource_id desc
        ) as cover_image_url
    from resources
    where
        resource.resource_variant = 'FRONT_COVER'
        and resource.url is not null
        and not coalesce(resource.is_processing, false)
        and coalesce(resource.status, '') <> 'ARCHIVED'
    group by work_id
),

product_facts as (
    select
        work_id,
        -- cancelled products never publish, so they do not set the first publication date
        min(coalesce(publication_date, planned_publication_date))
        filter (where publishing_status_code <> '01') as first_publication_date,
        list_sort(list_distinct(list(product_form_code) filter (where product_form_code is not null))) as formats,
        bool_or(coalesce(product_form_code like 'A%', false)) as has_audio,
        list_sort(list_distinct(list(isbn13) filter (where isbn13 is not null))) as isbn13s
    from products
    group by work_id
),

final as (
    select
        works.work_id,
        works.title,
        works.subtitle,
        works.imprint_id,
        works.imprint_name,
        works.season_name,
        works.stage,
        works.tier,
        works.authorship_description,
        main_genres.main_bisac.code as main_bisac_code,
        main_genres.main_bisac.description as main_bisac_description,
        main_genres.main_thema.code as main_thema_code,
        main_genres.main_thema.description as main_thema_description,
        product_facts.first_publication_date,
        coalesce(product_facts.formats, []::varchar[]) as formats,
        coalesce(product_facts.has_audio, false) as has_audio,
        coalesce(product_facts.isbn13s, []::varchar[]) as isbn13s,
        covers.cover_image_url,
        work_rights.n_products,
        work_rights.n_live_products,
        work_rights.title_status,
        work_rights.rights_status,
        work_rights.regions_whitelist,
        work_rights.regions_blacklist,
        work_rights.allows_anywhere,
        works.extracted_at
    from works
    left join main_genres
        on works.work_id = main_genres.work_id
    left join product_facts
        on works.work_id = product_facts.work_id
    left join covers
        on works.work_id = covers.work_id
    left join work_rights
        on works.work_id = work_rights.work_id
)

select * from final
