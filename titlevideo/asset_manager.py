"""Airflow's asset manager with queued asset events that are never stranded (PostgreSQL).

Set as ``[core] asset_manager_class`` in ``deploy/airflow.env`` (docker-compose.yaml and
``make deploy``). It changes one thing of Airflow 3.3's own manager.

When an asset event arrives for an asset-scheduled DAG, Airflow records one row per (asset, DAG)
in ``asset_dag_run_queue``; the scheduler creates the next run with ``run_after`` = the newest
``created_at`` of those rows and lets it consume the events up to that time, then deletes the
rows. On PostgreSQL the row is inserted with ``ON CONFLICT DO NOTHING``: a second event of the
same asset, arriving while the DAG waits at ``max_active_runs`` (``warehouse_build`` runs one at a
time), keeps the *first* event's ``created_at``. The next run then consumes events only up to that
first one, the rows are deleted, and the later events are consumed by no run until some new
event arrives (apache/airflow issue #56050). In a catch-up this left the last days extracted but
never built: seven days of extraction ended with a build for day three.

Here the row's ``created_at`` moves forward to the newest event (as upstream's later fix also
does): the next run consumes every event queued while the DAG waited (several days in one build,
which reads the whole lake anyway). Only the PostgreSQL path is replaced; the stack keeps its
metadata there. ``make run`` and ``make airflow`` (SQLite) use Airflow's manager unchanged.
"""

from __future__ import annotations

from typing import Any

from airflow.assets.manager import AssetManager as _AirflowAssetManager


class AssetManager(_AirflowAssetManager):
    @classmethod
    def _queue_dagruns_nonpartitioned_postgres(
        cls, asset_id: int, dags_to_queue: set[Any], session: Any
    ) -> None:
        from airflow._shared.timezones import timezone
        from airflow.models.asset import AssetDagRunQueue
        from sqlalchemy.dialects.postgresql import insert

        now = timezone.utcnow()
        stmt = insert(AssetDagRunQueue).values(
            [
                {"asset_id": asset_id, "target_dag_id": dag.dag_id, "created_at": now}
                for dag in dags_to_queue
            ]
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[AssetDagRunQueue.asset_id, AssetDagRunQueue.target_dag_id],
            set_={"created_at": stmt.excluded.created_at},
            where=AssetDagRunQueue.created_at < stmt.excluded.created_at,
        )
        session.execute(stmt)
