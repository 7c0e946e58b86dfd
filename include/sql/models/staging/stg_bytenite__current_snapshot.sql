-- The current ByteNite snapshot. One extraction run writes jobs, assets and placements for one
-- snapshot_on; the current snapshot is the one whose rows were extracted last (a backfill of an
-- old date run today is the newest extraction). Every snapshot entity takes its rows of this
-- snapshot only, so an object deleted upstream disappears — and an entity whose current
-- snapshot is empty (every placement removed) is empty.
-- Its as_of_date is the latest snapshot day extracted, not the current snapshot's own day: the day
-- the pipeline has reached, from which launch readiness, promotion windows and pre-order dates
-- count. When an old day is extracted last (a season backfill run today, or a catch-up day whose
-- extraction a killed worker left to be retried after the following days), its state is the
-- freshest, but counting from its day would move those dates back in time.
with

extractions as (
    select
        snapshot_on,
        _extracted_at
    from {{ source('bytenite', 'jobs') }}
    union all
    select
        snapshot_on,
        _extracted_at
    from {{ source('bytenite', 'assets') }}
    union all
    select
        snapshot_on,
        _extracted_at
    from {{ source('bytenite', 'placements') }}
),

final as (
    select
        snapshot_on,
        max(_extracted_at) as extracted_at,
        max(snapshot_on) over () as as_of_date
    from extractions
    group by snapshot_on
    order by extracted_at desc, snapshot_on desc
    limit 1
)

select * from final
