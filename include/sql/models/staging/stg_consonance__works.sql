-- Consonance works: the latest version of each work by extraction time. A backfill of an old
-- date run today carries today's _extracted_at, so it wins over older extractions.
with

source as (
    select * from {{ source('consonance', 'works') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by work_id
            order by _extracted_at desc, extracted_on desc
        ) as version_rank
    from source
),

final as (
    select
        work_id,
        title,
        subtitle,
        imprint_id,
        imprint_name,
        season_name,
        project_stage_name as stage,
        marketing_tier_name as tier,
        authorship_description,
        coalesce(contributions, []) as contributions,
        coalesce(subjects, []) as subjects,
        coalesce(supporting_resources, []) as supporting_resources,
        extracted_on,
        _extracted_at as extracted_at
    from ranked
    where version_rank = 1
)

select * from final
