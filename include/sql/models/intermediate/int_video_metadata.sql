-- The metadata a title's video assets should carry (flow 3), one row per work for work-level
-- deliverables and one per audio product for audio deliverables. Shared by the job requests
-- (new assets are born with it) and the metadata sync. Lists are in a stable order so equal
-- metadata compares equal: contributors by sequence, ISBNs by product id, genres main first.
-- An intermediate model read by the rev_ models (it is no desired state itself, so it has not
-- their contract); it reads the title and product dimensions, so it builds after them.
with

titles as (
    select * from {{ ref('dim_title') }}
),

products as (
    select * from {{ ref('dim_product') }}
),

works as (
    select * from {{ ref('stg_consonance__works') }}
),

contributors as (
    select
        work_id,
        list(
            { 'name': contribution.person_name, 'role': contribution.role_code }
            order by contribution.sequence_number, contribution.contribution_id
        ) as contributors
    from (
        select
            work_id,
            unnest(contributions) as contribution
        from works
    ) as work_contributions
    group by work_id
),

genres as (
    select
        work_id,
        list(
            { 'scheme': subject.scheme, 'code': subject.code, 'description': subject.description }
            order by subject.main desc, subject.scheme asc, subject.code asc
        ) as genres
    from (
        select
            work_id,
            unnest(subjects) as subject
        from works
    ) as work_subjects
    where subject.scheme in ('BISAC', 'THEMA')
    group by work_id
),

work_isbns as (
    select
        work_id,
        list(isbn13 order by product_id) filter (where isbn13 is not null) as isbn13s,
        -- the territory text of the title's first product, as Consonance words it
        arg_min(sales_rights_description, product_id) as territory
    from products
    group by work_id
),

work_level as (
    select
        titles.work_id,
        null::bigint as product_id,
        {
            'title': titles.title,
            'subtitle': titles.subtitle,
            'contributors': coalesce(contributors.contributors, []),
            'imprint': titles.imprint_name,
            'genres': coalesce(genres.genres, []),
            'isbn13s': coalesce(work_isbns.isbn13s, []),
            'publicationDate': strftime(titles.first_publication_date, '%Y-%m-%d'),
            'season': titles.season_name,
            'territory': work_isbns.territory,
            'consonanceWorkId': titles.work_id::varchar,
            'coverImageUrl': titles.cover_image_url
        } as metadata
    from titles
    left join contributors on titles.work_id = contributors.work_id
    left join genres on titles.work_id = genres.work_id
    left join work_isbns on titles.work_id = work_isbns.work_id
),

audio_level as (
    select
        products.work_id,
        products.product_id,
        {
            'title': titles.title,
            'subtitle': titles.subtitle,
            'contributors': coalesce(contributors.contributors, []),
            'imprint': titles.imprint_name,
            'genres': coalesce(genres.genres, []),
            'isbn13s': case when products.isbn13 is null then [] else [products.isbn13] end,
            'publicationDate': strftime(products.publication_date, '%Y-%m-%d'),
            'season': titles.season_name,
            'territory': products.sales_rights_description,
            'consonanceWorkId': titles.work_id::varchar,
            'coverImageUrl': titles.cover_image_url
        } as metadata
    from products
    inner join titles on products.work_id = titles.work_id
    left join contributors on products.work_id = contributors.work_id
    left join genres on products.work_id = genres.work_id
    where products.is_audio
),

final as (
    select
        work_id::varchar || ':' || coalesce(product_id::varchar, '') as metadata_key,
        work_id,
        product_id,
        to_json(metadata)::varchar as metadata_json
    from (
        select * from work_level
        union all
        select * from audio_level
    ) as levels
)

select * from final
