"""The Airflow edge of the two sync DAGs (``bytenite_sync``, ``consonance_sync``): each task is
one call here, which runs a sync of :mod:`titlevideo.reverse.targets` against the Airflow
connection for the run's day and writes the run report. See docs/architecture.md, "DAG edges".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from titlevideo import dagkit
from titlevideo.dagkit import emit, fail_fast, write_run_report

log = logging.getLogger(__name__)

#: a sync of the reverse package: ``sync(endpoint, lake, run_id=..., dry_run=...) -> results``
SyncFn = Callable[..., dict[str, Any]]


def _sync(
    context: dict[str, Any], dag_id: str, sync: SyncFn, conn_id: str, system: str
) -> dict[str, Any]:
    with fail_fast():
        return _sync_run(context, dag_id, sync, conn_id, system)


def _sync_run(
    context: dict[str, Any], dag_id: str, sync: SyncFn, conn_id: str, system: str
) -> dict[str, Any]:
    """Run ``sync`` (``sync_bytenite`` or ``sync_consonance``) against the Airflow connection
    ``conn_id`` for the run's day; ``system`` names it in the run report."""
    from titlevideo.config import Lake
    from titlevideo.connections import from_airflow
    from titlevideo.reverse.run import run_id_for, summarise

    lake = Lake.from_env()
    if not lake.warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {lake.warehouse}: run warehouse_build first")
    day = dagkit.resolve_day(context)
    dry_run = bool((context.get("params") or {}).get("dry_run"))
    run_id = run_id_for(dag_id, day.isoformat())
    results = sync(from_airflow(conn_id), lake, run_id=run_id, dry_run=dry_run)
    headline, details = summarise(results, system, dry_run)
    write_run_report(dag_id, day, headline, details, {"run_id": run_id, "results": results})
    log.info("%s", headline)
    return {"run_id": run_id, "headline": headline, "results": results}


def bytenite_sync(context: dict[str, Any]) -> dict[str, Any]:
    from titlevideo.bytenite.client import SYSTEM
    from titlevideo.connections import BYTENITE_CONN_ID
    from titlevideo.reverse.targets.bytenite import sync_bytenite

    return _sync(context, "bytenite_sync", sync_bytenite, BYTENITE_CONN_ID, SYSTEM)


def bytenite_synced(context: dict[str, Any]) -> str:
    """Hand the cycle to ``consonance_sync`` (the ``bytenite_synced`` asset event, with the date).
    A dry run wrote nothing and announces nothing: the task is skipped, so no event is emitted."""
    day = dagkit.resolve_day(context)
    if (context.get("params") or {}).get("dry_run"):
        from airflow.sdk.exceptions import AirflowSkipException

        raise AirflowSkipException(
            "dry run: nothing written to ByteNite, consonance_sync not triggered"
        )
    emit(context, dagkit.BYTENITE_SYNCED, day)
    return day.isoformat()


def consonance_sync(context: dict[str, Any]) -> dict[str, Any]:
    from titlevideo.connections import CONSONANCE_CONN_ID
    from titlevideo.consonance.client import SYSTEM
    from titlevideo.reverse.targets.consonance import sync_consonance

    return _sync(context, "consonance_sync", sync_consonance, CONSONANCE_CONN_ID, SYSTEM)
