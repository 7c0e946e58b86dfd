"""
### Warehouse → ByteNite (`bytenite_sync`)

Writes the warehouse's desired state back to ByteNite (flows 1, 2, 3, 4, 5, 8):
video job requests for launch-ready titles (one per required deliverable, by marketing tier and
product format, deterministic job ids), asset metadata that follows the title record (sent only
when it changed), publishing of READY assets of Active or pre-order-ready titles, and placements
whose regions follow the title's for-sale countries (withdrawn, cancelled or recalled titles have
every placement disabled).

Runs when the `warehouse` asset is updated. Each target is diffed against the durable sync state
(`state/sync.sqlite`), planned (counts and samples in the log and the `sync_plan` table), and
applied in rate-limited calls, each recorded in `sync_log`. With `dry_run` it stops after the plan.
A rerun with no upstream change makes zero write calls.

Then **announce** emits the `bytenite_synced` asset (with the date), which starts
`consonance_sync`: the Consonance links and summaries follow this cycle's publishing. A dry run
skips it. If the sync fails, `consonance_sync` waits for the next successful one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from airflow.sdk import dag, task

from titlevideo.dagkit import BYTENITE_SYNCED_ASSET, DEFAULT_ARGS, WAREHOUSE_ASSET, sync_params


@dag(
    dag_id="bytenite_sync",
    schedule=[WAREHOUSE_ASSET],
    start_date=datetime(2016, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["bytenite", "reverse-etl", "sync"],
    doc_md=__doc__,
    params=sync_params(),
)
def bytenite_sync():
    @task
    def sync(**context):
        from titlevideo.reverse import task as edge

        return edge.bytenite_sync(context)

    @task(outlets=[BYTENITE_SYNCED_ASSET])
    def announce(**context):
        from titlevideo.reverse import task as edge

        return edge.bytenite_synced(context)

    sync() >> announce()


bytenite_sync()
