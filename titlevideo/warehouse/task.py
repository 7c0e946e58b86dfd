"""The Airflow edge of the warehouse build: context in, one call, a small summary out."""

from __future__ import annotations

import logging
from typing import Any

from titlevideo import dagkit

log = logging.getLogger(__name__)

#: How long a build waits for another process's build lock before failing (Airflow retries).
LOCK_TIMEOUT_SECONDS = 300.0


def build_task(context: dict[str, Any]) -> dict[str, Any]:
    """Build and swap the warehouse for the run's day; emit the warehouse asset with the day."""
    from titlevideo.config import Lake
    from titlevideo.dagkit import emit, fail_fast, write_run_report
    from titlevideo.warehouse.build import build_warehouse

    day = dagkit.resolve_day(context)
    params = context.get("params") or {}
    with fail_fast():  # a bad business-rules file: one message, no retries
        lake = Lake.from_env()
        result = build_warehouse(
            lake,
            day=day,
            full_rebuild=bool(params.get("full_rebuild")),
            lock_timeout=LOCK_TIMEOUT_SECONDS,
        )
    summary = result.summary()
    emit(context, dagkit.WAREHOUSE, day)
    facts = summary["rows"].get("fct_video_daily", 0)
    write_run_report(
        "warehouse_build",
        day,
        f"{summary['mode']} build: {summary['models']} models, {facts} daily fact rows, "
        f"{summary['tests_passed']} dbt tests and {summary['suites_passed']} GX suites passed",
        [
            f"reason: {summary['reason']}",
            f"metric dates reloaded: {summary['reloaded_dates']}",
            *(f"{name}: {rows} rows" for name, rows in summary["rows"].items()),
            "slowest models (dbt): "
            + ", ".join(f"{n} {s}s" for n, s in summary["slowest_models"].items()),
            "every model and test: meta.model_runs, meta.model_tests (dbt's run_results.json)",
            f"data docs: {lake.reports / 'data_docs' / 'index.html'}",
            f"warehouse catalogue (dbt docs): {lake.reports / 'catalogue' / 'index.html'}",
        ],
        summary,
    )
    return summary
