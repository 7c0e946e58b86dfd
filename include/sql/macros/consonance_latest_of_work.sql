{#- The cleaning block of the Consonance child entities (products, marketing texts, web links):
    they are extracted nested under their work, so a work's children come from that work's latest
    extraction (stg_consonance__works.extracted_on: a child deleted upstream disappears with it),
    and of those each `key` keeps its latest version by extraction time. Returns the source's
    columns; the staging model selects and renames what it keeps. -#}
{% macro consonance_latest_of_work(entity, key) %}
    select source.*
    from {{ source('consonance', entity) }} as source
    inner join {{ ref('stg_consonance__works') }} as latest_work_extractions
        on
            source.work_id = latest_work_extractions.work_id
            and source.extracted_on = latest_work_extractions.extracted_on
    qualify row_number() over (
        partition by source.{{ key }}
        order by source._extracted_at desc, source.extracted_on desc
    ) = 1
{% endmacro %}
