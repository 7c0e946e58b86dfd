{#- The selection head of the ByteNite snapshot entities (jobs, assets, placements): the rows of
    the current snapshot (stg_bytenite__current_snapshot: the one extracted last, so an object
    deleted upstream disappears), and of those each `key` keeps its latest version by extraction
    time. Returns the source's columns; the staging model selects and renames what it keeps. -#}
{% macro bytenite_current_snapshot(entity, key) %}
    select source.*
    from {{ source('bytenite', entity) }} as source
    inner join {{ ref('stg_bytenite__current_snapshot') }} as latest_snapshot
        on source.snapshot_on = latest_snapshot.snapshot_on
    qualify row_number() over (
        partition by source.{{ key }}
        order by source._extracted_at desc
    ) = 1
{% endmacro %}
