-- Consonance web links on products, from their work's latest extraction (a removed link
-- disappears).
with

source as (
    select * from raw_consonance__web_links
),

latest_work_extractions as (
    select
        work_id,
        extracted_on
    from stg_consonance__works
),

from_latest_work_extraction as (
    select source.*
    from source
    inner join latest_work_extractions
        on source.work_id = latest_work_extractions.work_id
        and source.extracted_on = latest_work_extractions.extracted_on
),

ranked as (
    select
        *,
        row_number() over (
            partition by web_link_id
            order by _extracted_at desc, extracted_on desc
        ) as version_rank
    from from_latest_work_extraction
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
    from ranked
    where version_rank = 1
)

select * from final
