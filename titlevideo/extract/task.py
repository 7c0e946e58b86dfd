"""The Airflow edge of the two extract DAGs (``consonance_extract``, ``bytenite_extract``): each
task is one call here, which adapts the Airflow context (connections, params, data interval) to
the extraction functions and writes the run report. See docs/architecture.md, "DAG edges".
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from titlevideo import dagkit
from titlevideo.dagkit import emit, fail_fast, write_run_report

log = logging.getLogger(__name__)


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


def preflight(system: str) -> None:
    """The extract DAGs' first task: check the deployment of ``system`` ("Consonance" or
    "ByteNite") with the preflight (``make check``); a pass is reused for a day. A failure
    stops the DAG with the report, naming each mismatch."""
    from titlevideo import preflight as checks
    from titlevideo.config import Lake
    from titlevideo.connections import BYTENITE_CONN_ID, CONSONANCE_CONN_ID, from_airflow

    conn_id = {checks.CONSONANCE: CONSONANCE_CONN_ID, checks.BYTENITE: BYTENITE_CONN_ID}[system]
    with fail_fast():
        endpoint = from_airflow(conn_id)
    passed, text = checks.check_cached({system: endpoint}, Lake.from_env().reports)
    log.info("%s", text)
    if not passed:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(text)


FULL_REFRESH_REMOVED = (
    "the full_refresh param was removed (it duplicated mode=full): trigger with "
    '{"mode": "full"} to pull the whole catalogue'
)


def _removed_full_refresh(context: dict[str, Any]) -> bool | None:
    """The value of ``full_refresh`` if the trigger still passed it (None if not)."""
    params = context.get("params") or {}
    conf = getattr(context.get("dag_run"), "conf", None) or {}
    for source in (params, conf):
        if "full_refresh" in source:
            return bool(source["full_refresh"])
    return None


def _mode_for_removed_full_refresh(full_refresh: bool, mode: str) -> str:
    """A trigger written for the old param still does what it asked, and says how to ask now;
    one that contradicts its own ``mode`` stops with the same message."""
    if full_refresh and mode not in ("auto", "full"):
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(f"full_refresh=true with mode={mode!r}: {FULL_REFRESH_REMOVED}")
    log.warning("%s; this run uses mode=%s", FULL_REFRESH_REMOVED, "full" if full_refresh else mode)
    return "full" if full_refresh else mode


def consonance_extract(context: dict[str, Any]) -> dict[str, Any]:
    from titlevideo.config import Lake
    from titlevideo.connections import CONSONANCE_CONN_ID, from_airflow
    from titlevideo.extract.consonance import extract_consonance

    params = context.get("params") or {}
    first, last = _window(context)
    removed = _removed_full_refresh(context)
    if _is_backfill(context) or params.get("mode") == "season":
        mode = "season"
    else:
        mode = params.get("mode") or "auto"
    if removed is not None:
        mode = _mode_for_removed_full_refresh(removed, mode)
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
    if removed is not None:
        lines.append(FULL_REFRESH_REMOVED)
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
    """The run's metric dates, and the history to catch up on: on the first run of a deployment,
    with the ``history_days`` param, or to finish a catch-up that was killed."""
    from titlevideo.config import Lake
    from titlevideo.connections import BYTENITE_CONN_ID, from_airflow
    from titlevideo.extract.bytenite import extract_bytenite_metrics_run

    first, last = _window(context)
    history_days = (context.get("params") or {}).get("history_days")
    start, _, catching_up = dagkit.daily_window()
    with fail_fast():
        return extract_bytenite_metrics_run(
            from_airflow(BYTENITE_CONN_ID),
            Lake.from_env(),
            first,
            last,
            history_days=int(history_days) if history_days else None,
            backfill=_is_backfill(context),
            # a first run's history ends on the schedule's first day, whichever day runs first
            anchor=start.date() if catching_up else None,
        )


def bytenite_done(
    context: dict[str, Any], snapshot: dict[str, Any], metrics: list[dict[str, Any]]
) -> dict[str, Any]:
    first, _ = _window(context)
    emit(context, dagkit.RAW_BYTENITE, first, metric_dates=[m["date"] for m in metrics])
    written, quarantined, lines = _entity_lines(snapshot)
    history = [m for m in metrics if m.get("catch_up")]
    if history:
        w = sum(e["written"] for m in history for e in m["entities"].values())
        q = sum(e["quarantined"] for m in history for e in m["entities"].values())
        lines.append(
            f"history catch-up ({history[0]['catch_up']}): {len(history)} metric dates "
            f"{history[0]['date']}..{history[-1]['date']}, {w} rows written, {q} quarantined"
        )
    for m in metrics:
        w, q, more = _entity_lines(m)
        written += w
        quarantined += q
        if m.get("catch_up"):  # one line for the catch-up, and any date with something to say
            notable = [e["quarantined"] or e["unknown_fields"] for e in m["entities"].values()]
            more = [line for line, keep in zip(more, notable, strict=True) if keep]
        lines += [f"{m['date']} {line}" for line in more]
    write_run_report(
        "bytenite_extract",
        first,
        f"{written} rows extracted, {quarantined} quarantined",
        lines,
        {"snapshot": snapshot, "metrics": metrics},
    )
    return {"snapshot": snapshot, "metrics": metrics}
