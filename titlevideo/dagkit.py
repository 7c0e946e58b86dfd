"""What every DAG of the project shares: assets, default args, the logical-date rule.

Kept free of heavy imports: DAG files import this at parse time.

The logical date a task works on (``resolve_day``), in order of precedence:

1. the ``date`` Param (``YYYY-MM-DD``) of a manual run, which in Airflow 3 may have no interval;
2. the data interval start of a scheduled or backfill run (a real one-day window, because the
   extract DAGs use ``CronDataIntervalTimetable("@daily")``);
3. for asset-triggered runs, the ``date`` that the producing run put in its asset event ``extra``
   (the latest one when several events were queued);
4. otherwise the run's logical date, if it has one.

No date at all is an error that says how to give one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

OWNER = "data-engineering"

DEFAULT_ARGS: dict[str, Any] = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
}

#: Airflow pool that serialises writers of the DuckDB warehouse (created by `make` / compose init).
WAREHOUSE_POOL = "duckdb_writer"

# Asset names (URIs are identifiers; the real location is LAKE_ROOT).
RAW_CONSONANCE = "raw_consonance"
RAW_BYTENITE = "raw_bytenite"
WAREHOUSE = "warehouse"
#: Emitted by ``bytenite_sync`` after a real (not dry) run; ``consonance_sync`` runs on it, so its
#: web links and summaries see this cycle's ByteNite publishing, never last cycle's.
BYTENITE_SYNCED = "bytenite_synced"


def assets() -> dict[str, Any]:
    from airflow.sdk import Asset

    return {
        RAW_CONSONANCE: Asset(name=RAW_CONSONANCE, uri="file:///lake/raw/consonance"),
        RAW_BYTENITE: Asset(name=RAW_BYTENITE, uri="file:///lake/raw/bytenite"),
        WAREHOUSE: Asset(name=WAREHOUSE, uri="file:///lake/warehouse/analytics.duckdb"),
        BYTENITE_SYNCED: Asset(name=BYTENITE_SYNCED, uri="file:///lake/state/bytenite_synced"),
    }


def date_param(description: str) -> Any:
    from airflow.sdk import Param

    return Param(
        None,
        type=["null", "string"],
        format="date",
        title="Date (YYYY-MM-DD)",
        description=description,
    )


def sync_params() -> dict[str, Any]:
    """The Params of both sync DAGs (the same meaning in each, so they are defined once)."""
    from airflow.sdk import Param

    return {
        "date": date_param(
            "Warehouse date this sync acts on (default: from the warehouse asset event)."
        ),
        "dry_run": Param(
            False, type="boolean", description="Plan only: show what would be written."
        ),
    }


class MissingDateError(ValueError):
    pass


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise MissingDateError(f"date {value!r} is not YYYY-MM-DD") from None


def resolve_day(context: dict[str, Any]) -> date:
    """The logical day of this run (see module docstring)."""
    params = context.get("params") or {}
    if params.get("date"):
        return _as_date(params["date"])
    start = context.get("data_interval_start")
    end = context.get("data_interval_end")
    if start is not None and end is not None and end > start:
        return _as_date(start)
    events = context.get("triggering_asset_events") or {}
    dates = []
    for evs in dict(events).values():
        for ev in evs:
            extra = getattr(ev, "extra", None) or {}
            if extra.get("date"):
                dates.append(_as_date(extra["date"]))
    if dates:
        return max(dates)
    logical = context.get("logical_date")
    if logical is not None:
        return _as_date(logical)
    raise MissingDateError(
        "this run has no data interval and no date: trigger it with the 'date' param, e.g. "
        '`airflow dags trigger <dag> --conf \'{"date": "2026-11-26"}\'`'
    )
