"""One pipeline step in its own process, as an Airflow task runs it (used by the crash tests).

``python tests/reliability/driver.py <step> <YYYY-MM-DD> [run id]`` with ``LAKE_ROOT`` and the
``AIRFLOW_CONN_*`` connections in the environment (resolved by ``connections.from_env``), and
optionally ``TITLEVIDEO_FAILPOINT``. Steps are the task bodies of the five DAGs:
``consonance_extract``, ``bytenite_snapshot``, ``bytenite_metrics``, ``build`` (raw GX suites,
then the warehouse build), ``bytenite_sync``, ``consonance_sync``; ``bytenite_metrics_run`` is
the metrics task as a DAG run does it (a history catch-up by the business rules in
``TITLEVIDEO_RULES`` when the lake has no metric date yet).
"""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from titlevideo.config import Lake
from titlevideo.connections import BYTENITE_CONN_ID, CONSONANCE_CONN_ID, from_env

STEPS = (
    "consonance_extract",
    "bytenite_snapshot",
    "bytenite_metrics",
    "bytenite_metrics_run",
    "build",
    "bytenite_sync",
    "consonance_sync",
)


def run(step: str, day: date, run_id: str) -> None:
    lake = Lake.from_env()
    if step == "consonance_extract":
        from titlevideo.extract.consonance import extract_consonance

        extract_consonance(from_env(CONSONANCE_CONN_ID), lake, day)
    elif step == "bytenite_snapshot":
        from titlevideo.extract.bytenite import extract_bytenite_snapshot

        extract_bytenite_snapshot(from_env(BYTENITE_CONN_ID), lake, day)
    elif step == "bytenite_metrics":
        from titlevideo.extract.bytenite import extract_bytenite_metrics

        extract_bytenite_metrics(from_env(BYTENITE_CONN_ID), lake, day, day)
    elif step == "bytenite_metrics_run":
        from titlevideo.extract.bytenite import extract_bytenite_metrics_run

        extract_bytenite_metrics_run(from_env(BYTENITE_CONN_ID), lake, day, day)
    elif step == "build":
        from titlevideo.quality import validate_raw
        from titlevideo.warehouse.build import build_warehouse

        validate_raw(lake, day)
        build_warehouse(lake, day=day)
    elif step == "bytenite_sync":
        from titlevideo.reverse.targets.bytenite import sync_bytenite

        sync_bytenite(from_env(BYTENITE_CONN_ID), lake, run_id=run_id)
    elif step == "consonance_sync":
        from titlevideo.reverse.targets.consonance import sync_consonance

        sync_consonance(from_env(CONSONANCE_CONN_ID), lake, run_id=run_id)
    else:
        raise SystemExit(f"unknown step {step!r}; one of {', '.join(STEPS)}")


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    run(sys.argv[1], date.fromisoformat(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "run")
