"""Great Expectations quality gates on raw batches and on the warehouse marts.

* :func:`validate_raw` — the raw partitions of one logical date (one suite per entity).
* :func:`validate_marts` — the candidate warehouse, called by the build before the swap.

Both write Data Docs under ``<LAKE_ROOT>/reports/data_docs/{raw,marts}/index.html`` and raise
:class:`QualityError` when a suite fails. Great Expectations is imported only when a suite runs.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import duckdb

from titlevideo.config import Lake
from titlevideo.quality.runner import QualityError

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
    con: duckdb.DuckDBPyConnection, lake: Lake, fact_dates: tuple[date, ...] | None = None
) -> dict[str, Any]:
    """Validate the warehouse open on ``con`` (the build's candidate file) before it is swapped in.

    ``fact_dates``: the metric dates of ``fct_video_daily`` to profile (those the build loaded);
    None profiles every date. Every other suite covers its whole table.
    """
    from titlevideo.quality.runner import run_suites
    from titlevideo.quality.suites import mart_suites

    return run_suites(
        con, mart_suites(con, lake.warehouse, fact_dates), section="marts", reports=lake.reports
    )
