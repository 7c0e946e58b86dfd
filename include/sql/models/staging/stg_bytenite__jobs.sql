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
        {{ bytenite_label_columns() }}
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
