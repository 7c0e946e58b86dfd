"""Great Expectations quality gates on raw batches and on the warehouse marts.

* :func:`validate_raw` — the raw partitions of one logical date (one suite per entity).
* :func:`validate_marts` — the candidate warehouse, called by the build before the swap.

Both write Data Docs under ``<LAKE_ROOT>/reports/data_docs/{raw,marts}/index.html`` and raise
:class:`QualityError` when a suite fails. Great Expectations is imported only when a suite runs.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

import duckdb

from titlevideo.config import Lake
from titlevideo.quality.runner import QualityError

if TYPE_CHECKING:
    from titlevideo.quality.worker import GxWorker

__all__ = ["QualityError", "validate_marts", "validate_raw"]

log = logging.getLogger(__name__)


def validate_raw(lake: Lake, day: date, *, raise_on_failure: bool = True) -> dict[str, Any]:
    """Validate every raw partition of ``day``; entities without one that day are listed."""
    from titlevideo.quality.runner import run_suites
    from titlevideo.quality.suites import raw_suites

    suites, missing = raw_suites(lake, day)
    if missing:
        log.warning("no raw partition on %s for: %s", day.isoformat(), ", ".join(missing))
    con = duckdb.connect()
    try:
        summary = run_suites(
            con, suites, section="raw", reports=lake.reports, raise_on_failure=raise_on_failure
        )
    finally:
        con.close()
    summary["date"] = day.isoformat()
    summary["no_partition"] = missing
    return summary


def validate_marts(
    con: duckdb.DuckDBPyConnection,
    lake: Lake,
    fact_dates: tuple[date, ...] | None = None,
    *,
    worker: GxWorker | None = None,
) -> dict[str, Any]:
    """Validate the warehouse open on ``con`` (the build's candidate file) before it is swapped in.

    ``fact_dates``: the metric dates of ``fct_video_daily`` to profile (those the build loaded);
    None profiles every date. Every other suite covers its whole table. ``worker``: a
    :class:`~titlevideo.quality.worker.GxWorker` started with the build, which has imported GX
    meanwhile; the frames are prepared here and validated there (in this process if it fails).
    """
    import time

    from titlevideo.quality import declared
    from titlevideo.quality.checks import DEFAULT_ROW_LIMIT, prepare
    from titlevideo.quality.suites import mart_suites

    started = time.perf_counter()
    path = declared.manifest_path(lake.warehouse_dir)
    manifest = declared.load(path) if path.exists() else None
    suites = mart_suites(con, lake.warehouse, fact_dates, manifest)
    if worker is not None:
        prepared = [prepare(con, suite, DEFAULT_ROW_LIMIT) for suite in suites]
        summary = worker.validate(prepared, section="marts", reports=lake.reports)
        if summary is not None:
            summary["seconds"] = round(time.perf_counter() - started, 2)
            return summary
    from titlevideo.quality.runner import run_suites

    return run_suites(con, suites, section="marts", reports=lake.reports)
