-- The current ByteNite snapshot. One extraction run writes jobs, assets and placements for one
-- snapshot_on; the current snapshot is the one whose rows were extracted last (a backfill of an
-- old date run today is the newest extraction). Every snapshot entity takes its rows of this
-- snapshot only, so an object deleted upstream disappears — and an entity whose current
-- snapshot is empty (every placement removed) is empty.
with

extractions as (
    select snapshot_on, _extracted_at from raw_bytenite__jobs
    union all
    select snapshot_on, _extracted_at from raw_bytenite__assets
    union all
    select snapshot_on, _extracted_at from raw_bytenite__placements
),

final as (
    select
        snapshot_on,
        max(_extracted_at) as extracted_at
    from extractions
    group by snapshot_on
    order by extracted_at desc, snapshot_on desc
    limit 1
)

select * from final
