"""The Airflow edge: each DAG task is one call here, which adapts the Airflow context
(connections, params, data interval, asset events) to plain functions of the package.

Heavy modules are imported inside the functions, so DAG files stay cheap to parse.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from titlevideo import dagkit

log = logging.getLogger(__name__)


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


def _window(context: dict[str, Any]) -> tuple[date, date]:
    """The metric dates of this run: the one-day interval, or the date Param."""
    params = context.get("params") or {}
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if not params.get("date") and start is not None and end is not None and end > start:
        first = start.date()
        last = (end - timedelta(microseconds=1)).date()
        return first, last
    day = dagkit.resolve_day(context)
    return day, day


def emit(context: dict[str, Any], asset_name: str, day: date, **extra: Any) -> None:
    """Put the logical date into this task's asset event, for the consuming DAGs."""
    events = context.get("outlet_events")
    if events is None:
        return
    asset = dagkit.assets()[asset_name]
    events[asset].extra = {"date": day.isoformat(), **extra}


def run_report_path(dag_id: str, day: date) -> Path:
    """``reports/runs/<day>/<dag_id>.json``: what the default run's summary prints."""
    from titlevideo.config import Lake

    return Lake.from_env().reports / "runs" / day.isoformat() / f"{dag_id}.json"


def write_run_report(dag_id: str, day: date, headline: str, details: list[str], data: Any) -> None:
    from titlevideo.lake import write_json_atomic

    payload = {"headline": headline, "details": details, "data": data}
    write_json_atomic(run_report_path(dag_id, day), payload)


def _entity_lines(summary: dict[str, Any]) -> tuple[int, int, list[str]]:
    written = quarantined = 0
    lines = []
    for name, e in summary.get("entities", {}).items():
        written += e["written"]
        quarantined += e["quarantined"]
        line = f"{name}: {e['written']} written, {e['quarantined']} quarantined"
        if e["quarantine_reasons"]:
            line += " (" + "; ".join(f"{r}: {n}" for r, n in e["quarantine_reasons"].items()) + ")"
        if e["unknown_fields"]:
            line += f"; new API fields: {', '.join(e['unknown_fields'])}"
        lines.append(line)
    return written, quarantined, lines


def _is_backfill(context: dict[str, Any]) -> bool:
    run = context.get("dag_run")
    run_type = getattr(run, "run_type", None)
    return str(getattr(run_type, "value", run_type)) == "backfill"


def consonance_extract(context: dict[str, Any]) -> dict[str, Any]:
    from titlevideo.config import Lake
    from titlevideo.connections import CONSONANCE_CONN_ID, from_airflow
    from titlevideo.extract.consonance import extract_consonance

    params = context.get("params") or {}
    first, last = _window(context)
    if params.get("full_refresh"):
        mode = "full"
    elif _is_backfill(context) or params.get("mode") == "season":
        mode = "season"
    else:
        mode = params.get("mode") or "auto"
    with fail_fast():
        summary = extract_consonance(
            from_airflow(CONSONANCE_CONN_ID),
            Lake.from_env(),
            first,
            mode=mode,
            window=(first, last),
        )
    emit(context, dagkit.RAW_CONSONANCE, first, mode=summary["mode"])
    written, quarantined, lines = _entity_lines(summary)
    write_run_report(
        "consonance_extract",
        first,
        f"{written} rows extracted ({summary['mode']} mode), {quarantined} quarantined",
        lines,
        summary,
    )
    return summary


def bytenite_snapshot(context: dict[str, Any]) -> dict[str, Any]:
    from titlevideo.config import Lake
    from titlevideo.connections import BYTENITE_CONN_ID, from_airflow
    from titlevideo.extract.bytenite import extract_bytenite_snapshot

    first, _ = _window(context)
    with fail_fast():
        return extract_bytenite_snapshot(from_airflow(BYTENITE_CONN_ID), Lake.from_env(), first)


def bytenite_metrics(context: dict[str, Any]) -> list[dict[str, Any]]:
    from titlevideo.config import Lake
    from titlevideo.connections import BYTENITE_CONN_ID, from_airflow
    from titlevideo.extract.bytenite import extract_bytenite_metrics

    first, last = _window(context)
    with fail_fast():
        return extract_bytenite_metrics(
            from_airflow(BYTENITE_CONN_ID), Lake.from_env(), first, last
        )


def bytenite_done(
    context: dict[str, Any], snapshot: dict[str, Any], metrics: list[dict[str, Any]]
) -> dict[str, Any]:
    first, _ = _window(context)
    emit(context, dagkit.RAW_BYTENITE, first, metric_dates=[m["date"] for m in metrics])
    written, quarantined, lines = _entity_lines(snapshot)
    for m in metrics:
        w, q, more = _entity_lines(m)
        written += w
        quarantined += q
        lines += [f"{m['date']} {line}" for line in more]
    write_run_report(
        "bytenite_extract",
        first,
        f"{written} rows extracted, {quarantined} quarantined",
        lines,
        {"snapshot": snapshot, "metrics": metrics},
    )
    return {"snapshot": snapshot, "metrics": metrics}


def _sync(context: dict[str, Any], dag_id: str, system: str) -> dict[str, Any]:
    with fail_fast():
        return _sync_run(context, dag_id, system)


def _sync_run(context: dict[str, Any], dag_id: str, system: str) -> dict[str, Any]:
    from titlevideo.config import Lake
    from titlevideo.connections import BYTENITE_CONN_ID, CONSONANCE_CONN_ID, from_airflow
    from titlevideo.sync.common import run_id_for, summarise

    lake = Lake.from_env()
    if not lake.warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {lake.warehouse}: run warehouse_build first")
    day = dagkit.resolve_day(context)
    dry_run = bool((context.get("params") or {}).get("dry_run"))
    run_id = run_id_for(dag_id, day.isoformat())
    if system == "ByteNite":
        from titlevideo.sync.bytenite import sync_bytenite

        results = sync_bytenite(
            from_airflow(BYTENITE_CONN_ID), lake, run_id=run_id, dry_run=dry_run
        )
    else:
        from titlevideo.sync.consonance import sync_consonance

        results = sync_consonance(
            from_airflow(CONSONANCE_CONN_ID), lake, run_id=run_id, dry_run=dry_run
        )
    headline, details = summarise(results, system, dry_run)
    write_run_report(dag_id, day, headline, details, {"run_id": run_id, "results": results})
    log.info("%s", headline)
    return {"run_id": run_id, "headline": headline, "results": results}


def bytenite_sync(context: dict[str, Any]) -> dict[str, Any]:
    return _sync(context, "bytenite_sync", "ByteNite")


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
    return _sync(context, "consonance_sync", "Consonance")
