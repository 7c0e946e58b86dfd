-- ByteNite jobs in the latest extracted snapshot; JOB_STATE_ prefix stripped.
with

current_snapshot as (
    -- the current snapshot's rows, the latest version of each job_id (macros/bytenite_current_snapshot.sql)
    {{ bytenite_current_snapshot('jobs', 'job_id') }}
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
    from current_snapshot
)

select * from final
