-- ByteNite jobs in the latest extracted snapshot; JOB_STATE_ prefix stripped.
with

source as (
    select * from raw_bytenite__jobs
),

latest_snapshot as (
    select snapshot_on from stg_bytenite__current_snapshot
),

current_snapshot as (
    select source.*
    from source
    inner join latest_snapshot
        on source.snapshot_on = latest_snapshot.snapshot_on
),

ranked as (
    select
        *,
        row_number() over (
            partition by job_id
            order by _extracted_at desc
        ) as version_rank
    from current_snapshot
),

final as (
    select
        job_id,
        name,
        template_id,
        regexp_replace(state, '^JOB_STATE_', '') as state,
        nullif(trim(label_consonance_work_id), '') as label_consonance_work_id,
        try_cast(nullif(trim(label_consonance_work_id), '') as bigint) as label_work_id,
        nullif(replace(replace(trim(label_isbn13), '-', ''), ' ', ''), '') as label_isbn13,
        regexp_replace(nullif(trim(label_deliverable_type), ''), '^DELIVERABLE_TYPE_', '') as label_deliverable_type,
        nullif(replace(replace(trim(label_audio_product_isbn13), '-', ''), ' ', ''), '') as label_audio_product_isbn13,
        labels_json,
        created_at,
        submitted_at,
        started_at,
        ended_at,
        error_message,
        snapshot_on,
        _extracted_at as extracted_at
    from ranked
    where version_rank = 1
)

select * from final
