"""What every DAG file and every task edge (``titlevideo/<stage>/task.py``) shares: the assets,
default args, the sync Params, the logical-date rule, asset events, the fail-fast rule for bad
configuration, and the run reports (see docs/architecture.md, "DAG edges").

Kept free of heavy imports: DAG files import this at parse time (the run-time helpers import what
they need when called).

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

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import Asset

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


#: The first day (``YYYY-MM-DD``) the two daily extract DAGs cover. Set, the scheduler runs every
#: daily interval from that day on and catches up the ones it missed (after an outage, or on the
#: first start of a deployment); unset, only the latest interval runs (no catch-up).
SCHEDULE_START_ENV = "TITLEVIDEO_SCHEDULE_START"
#: The last day they cover (``YYYY-MM-DD``; unset: no end). ``make soak`` moves it one day at a
#: time, so the scheduler runs a month of days one cycle after the other.
SCHEDULE_END_ENV = "TITLEVIDEO_SCHEDULE_END"
DEFAULT_START = datetime(2016, 1, 1, tzinfo=UTC)


def _env_day(name: str) -> datetime | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a date (YYYY-MM-DD)") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def daily_window() -> tuple[datetime, datetime | None, bool]:
    """``start_date``, ``end_date`` and ``catchup`` of the daily extract DAGs: from
    :data:`SCHEDULE_START_ENV` with catch-up if it is set, else 2016-01-01 without; the end from
    :data:`SCHEDULE_END_ENV`."""
    start = _env_day(SCHEDULE_START_ENV)
    end = _env_day(SCHEDULE_END_ENV)
    return (start or DEFAULT_START), end, start is not None


def daily_extract_args(**params: Any) -> dict[str, Any]:
    """The ``@dag`` arguments both daily extract DAGs share besides their schedule (each names
    its ``CronDataIntervalTimetable("@daily")``): start, end and catch-up from
    :func:`daily_window` (``TITLEVIDEO_SCHEDULE_START=YYYY-MM-DD``: every day from then on,
    missed days caught up; ``TITLEVIDEO_SCHEDULE_END``: until that day), at most two runs at once
    (so a season backfill does not flood the API), :data:`DEFAULT_ARGS`, and the Params: the
    manual run's ``date``, then the DAG's own ``params``."""
    start, end, catchup = daily_window()
    return {
        "start_date": start,
        "end_date": end,
        "catchup": catchup,
        "max_active_runs": 2,
        "default_args": DEFAULT_ARGS,
        "params": {
            "date": date_param(
                "Day to extract on a manual run (default: the run's data interval)."
            ),
            **params,
        },
    }


RAW_CONSONANCE_ASSET = Asset(name=RAW_CONSONANCE, uri="file:///lake/raw/consonance")
RAW_BYTENITE_ASSET = Asset(name=RAW_BYTENITE, uri="file:///lake/raw/bytenite")
WAREHOUSE_ASSET = Asset(name=WAREHOUSE, uri="file:///lake/warehouse/analytics.duckdb")
BYTENITE_SYNCED_ASSET = Asset(name=BYTENITE_SYNCED, uri="file:///lake/state/bytenite_synced")
#: the assets by name
ASSETS: dict[str, Asset] = {
    a.name: a
    for a in (RAW_CONSONANCE_ASSET, RAW_BYTENITE_ASSET, WAREHOUSE_ASSET, BYTENITE_SYNCED_ASSET)
}


def assets() -> dict[str, Asset]:
    """:data:`ASSETS` (the same objects on every call)."""
    return ASSETS


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


# ---- run time: what every task edge shares -----------------------------------------------------


@contextlib.contextmanager
def fail_fast() -> Iterator[None]:
    """Errors no retry can cure (bad configuration, a refused API key, a host that is not the
    API) fail the task at once with their one message, instead of after every retry."""
    from titlevideo.config import ConfigError
    from titlevideo.transport import AuthError

    try:
        yield
    except (ConfigError, AuthError) as exc:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(str(exc)) from None


def emit(context: dict[str, Any], asset_name: str, day: date, **extra: Any) -> None:
    """Put the logical date into this task's asset event, for the consuming DAGs."""
    events = context.get("outlet_events")
    if events is None:
        return
    asset = ASSETS[asset_name]
    events[asset].extra = {"date": day.isoformat(), **extra}


def run_report_path(dag_id: str, day: date) -> Path:
    """``reports/runs/<day>/<dag_id>.json``: what the default run's summary prints."""
    from titlevideo.config import Lake

    return Lake.from_env().reports / "runs" / day.isoformat() / f"{dag_id}.json"


def write_run_report(dag_id: str, day: date, headline: str, details: list[str], data: Any) -> None:
    from titlevideo.lake import write_json_atomic

    payload = {"headline": headline, "details": details, "data": data}
    write_json_atomic(run_report_path(dag_id, day), payload)
