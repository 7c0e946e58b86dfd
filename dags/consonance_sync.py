"""
### Warehouse → Consonance (`consonance_sync`)

Writes back to Consonance (flows 4, 5, 6, 7): every published, matched ByteNite asset as a web
link on the right products (ONIX list 73 role per deliverable from the business rules; links to
unpublished or deleted assets removed), and one internal performance summary per work with video
(views, watch time, completion, top channels and countries, launch window, deliverables and their
status, compliance findings), replaced only when its content changes.

Runs when `bytenite_sync` has applied this cycle's changes (the `bytenite_synced` asset), so
links and summaries see the assets ByteNite published in the same cycle; `dry_run` stops after
the plan. Payload errors are per-row failures, retried on the next run up to a cap.
"""

from __future__ import annotations

from datetime import UTC, datetime

from airflow.sdk import dag, task

from titlevideo.dagkit import BYTENITE_SYNCED_ASSET, DEFAULT_ARGS, sync_params


@dag(
    dag_id="consonance_sync",
    schedule=[BYTENITE_SYNCED_ASSET],
    start_date=datetime(2016, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["consonance", "reverse-etl", "sync"],
    doc_md=__doc__,
    params=sync_params(),
)
def consonance_sync():
    @task
    def sync(**context):
        from titlevideo.reverse import task as edge

        return edge.consonance_sync(context)

    sync()


consonance_sync()
