"""``make backfill SEASON="Spring 2026"``: extract a publication season again, then rebuild.

1. The season's window comes from Consonance (:func:`resolve_season`), narrowed by
   ``--from-date/--to-date`` and ending yesterday at the latest (:func:`backfill_window`).
2. A backfill of ``consonance_extract`` and of ``bytenite_extract`` over the window (``POST
   /api/v2/backfills``, what ``airflow backfill create`` records), at each DAG's own
   ``max_active_runs`` (2), so the APIs see what the daily schedule allows, no more. Each
   backfill run pulls exactly its day: the titles with a product published that day (``season``
   mode) and that day's ByteNite metrics. Reprocess behaviour ``completed`` re-runs days that
   already have a run, so a second backfill of the same window replaces the same partitions (the
   lake writes are keyed by date), which is what makes the shortcut idempotent.
3. One ``warehouse_build`` run for the window's end (a triggered run with ``{"date": …}``),
   which rebuilds the warehouse and the performance report.

Why a scheduler rather than ``airflow dags test`` per day: a backfill only records runs; a
scheduler executes them (and, in Airflow 3, an API server, which tasks talk to). ``dags test``
per day would skip the backfill machinery: its runs are manual runs (the extract would need to
be told it is a season run), nothing bounds them but running one at a time, and each pays ~15 s
of Airflow start-up: 92 days x 2 DAGs is ~45 min of start-up alone, against ~40 s to start a
scheduler once and then two runs at a time per DAG. So the shortcut submits to the Airflow that
``make airflow`` runs for the same home (two schedulers must not share one SQLite file), or, if
none runs, starts ``airflow standalone`` in the background for the duration, with the
scheduler's own run creation off (``use_job_schedule = False``): unpausing the three DAGs for the
backfill (Airflow does not start runs of a paused DAG, not even backfill runs) then starts no
daily and no asset-triggered run: only the backfill runs and the one build. The backfills are
created while the extract DAGs are paused (fewer writes compete for SQLite); a create that meets
a locked SQLite database is undone by Airflow and answered 503, and retried by the transport
policy. DAGs the shortcut unpaused are paused again at the end. The reverse-ETL DAGs are not
run: the next daily cycle pushes what changed.

Everything asked of Airflow goes through its REST API (:mod:`titlevideo.local.api`).
Interrupted (Ctrl-C, a crash), the shortcut leaves an unfinished backfill and runs marked
running; the next one of the window cancels the one and re-runs the others
(:func:`clear_leftovers`).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from titlevideo.config import Lake
from titlevideo.consonance import queries
from titlevideo.local import airflow_home, say
from titlevideo.local.airflow import (
    LocalAirflow,
    admin_login,
    airflow_env,
    free_port,
    interrupt_on_signals,
    prepare_airflow,
    running_ui,
    standalone_env,
)
from titlevideo.local.api import AirflowApi
from titlevideo.local.cycle import load_report
from titlevideo.local.emulators import EMULATORS, systems
from titlevideo.transport import ApiError

EXTRACT_DAGS = ("consonance_extract", "bytenite_extract")
BACKFILL_DAGS = (*EXTRACT_DAGS, "warehouse_build")


@dataclass(frozen=True)
class SeasonWindow:
    name: str
    start: date
    end: date
    #: where the window came from: Consonance's seasons, or the publication dates of its works
    source: str


def resolve_season(client: Any, name: str) -> SeasonWindow:
    """The date window of the publication season ``name`` (``"Spring 2026"``) as Consonance knows it.

    Asks the ``seasons`` root (id, name, start and end date). That root is a guess of this
    project's emulator (``# guess:`` in its schema); if the real API rejects it, the window is
    derived instead from the publication dates of the works in that season (every work paged
    once, so slower), and ``source`` says so.
    """
    from titlevideo.consonance.client import GraphQLError

    wanted = " ".join(name.split()).casefold()
    try:
        seasons = client.execute(queries.SEASONS_QUERY, operation="Seasons")["seasons"]
    except GraphQLError as exc:
        if "seasons" not in str(exc):
            raise
        return _season_from_works(client, name, wanted)
    for s in seasons:
        if " ".join(str(s["name"]).split()).casefold() == wanted:
            return SeasonWindow(
                s["name"],
                date.fromisoformat(s["startDate"]),
                date.fromisoformat(s["endDate"]),
                "Consonance seasons",
            )
    known = [s["name"] for s in seasons][-8:]
    raise SystemExit(f"Consonance knows no season {name!r}; the latest ones: {', '.join(known)}")


def _season_from_works(client: Any, name: str, wanted: str) -> SeasonWindow:
    """The first and last *first* publication date of the works in the season (a work belongs to
    the season of its first publication; a later paperback does not stretch the window)."""
    firsts: list[date] = []
    works = 0
    for page in client.pages(
        queries.SEASON_WORKS_QUERY, "works", "workSearch", {}, operation="SeasonWorks"
    ):
        for w in page:
            if " ".join(str(w.get("season") or "").split()).casefold() != wanted:
                continue
            works += 1
            dates = [
                date.fromisoformat(p["publicationDate"][:10])
                for p in w.get("products") or []
                if p.get("publicationDate")
            ]
            if dates:
                firsts.append(min(dates))
    if not firsts:
        raise SystemExit(f"no work in season {name!r} has a publication date in Consonance")
    return SeasonWindow(
        name,
        min(firsts),
        max(firsts),
        f"first publication dates of its {works} works (no seasons API)",
    )


def backfill_window(
    season: SeasonWindow, today: date, first: date | None, last: date | None
) -> tuple[date, date, list[str]]:
    """The days to backfill: the season, narrowed by --from-date/--to-date, and never a day that
    is not over yet (``today`` or later). Notes say what was narrowed."""
    notes = []
    lo, hi = season.start, season.end
    for given, what in ((first, "--from-date"), (last, "--to-date")):
        if given is not None and not season.start <= given <= season.end:
            raise SystemExit(
                f"{what} {given} is outside {season.name} ({season.start} … {season.end})"
            )
    lo, hi = first or lo, last or hi
    if hi >= today:
        hi = today - timedelta(days=1)
        notes.append(f"stops at {hi}: later days are not over yet (today is {today})")
    if lo > hi:
        raise SystemExit(f"nothing to backfill: {season.name} has no finished day before {today}")
    return lo, hi, notes


def plain_commands(first: date, last: date, max_active: dict[str, int] | None = None) -> list[str]:
    """The Airflow commands the shortcut amounts to (documented for doing it by hand)."""
    out = [f"airflow dags unpause {dag}" for dag in BACKFILL_DAGS]
    for dag in EXTRACT_DAGS:
        mar = (max_active or {}).get(dag, 2)
        out.append(
            f"airflow backfill create --dag-id {dag} --from-date {first} --to-date {last} "
            f"--max-active-runs {mar} --reprocess-behavior completed"
        )
    out.append(
        f"airflow dags trigger warehouse_build --conf '{json.dumps({'date': last.isoformat()})}'"
    )
    return out


def backfill(
    seed: int,
    works: int,
    ports: dict[str, int],
    season_name: str,
    from_date: date | None,
    to_date: date | None,
    *,
    dry_run: bool,
) -> int:
    """The shortcut (see the module's docstring); 0 when every run succeeded."""
    started = time.monotonic()
    interrupt_on_signals()
    lake = Lake.from_env()
    home = airflow_home()
    urls, today = systems(seed, works, home / "emulators", ports)
    env = airflow_env(urls, lake, home)
    for spec in EMULATORS.values():  # this process reads the connection too
        os.environ.setdefault(spec.conn, env[spec.conn])

    from titlevideo.connections import CONSONANCE_CONN_ID, from_env
    from titlevideo.consonance.client import ConsonanceClient

    season = resolve_season(ConsonanceClient(from_env(CONSONANCE_CONN_ID)), season_name)
    first, last, notes = backfill_window(season, today, from_date, to_date)
    days = (last - first).days + 1
    say(f"{season.name}: {season.start} … {season.end} (from {season.source})")
    for note in notes:
        say(f"  {note}")
    say(f"Backfilling {first} … {last} ({days} day{'s' if days != 1 else ''}) with:")
    for command in plain_commands(first, last):
        say(f"  {command}")
    if dry_run:
        return 0

    prepare_airflow(env, home / "run.log")
    live = running_ui(home)
    user, password, _ = admin_login(env)
    airflow: LocalAirflow | None = None
    t0 = time.monotonic()
    if live:
        api = AirflowApi(live["url"], user, password)
        say(
            f"Submitting to the Airflow already running at {live['url']} (make airflow); "
            "unpausing there also starts the DAGs' latest daily run and asset-triggered builds, "
            "as unpausing in the UI does."
        )
    else:
        port = free_port()
        airflow = LocalAirflow(
            standalone_env(env, "127.0.0.1", port, headless=True),
            port,
            home / "backfill-airflow.log",
        )
        api = AirflowApi(airflow.url, user, password)
        say(f"Starting a background Airflow for the backfill (logs: {airflow.log_file}) …")
        airflow.start()
    paused: dict[str, bool] = {}
    try:
        if airflow is not None:
            airflow.wait_ready(api, BACKFILL_DAGS)
            say(f"  ready in {time.monotonic() - t0:.0f}s")
        else:
            _wait_dags(api, BACKFILL_DAGS)
        for dag_id in BACKFILL_DAGS:
            paused[dag_id] = bool(api.dag(dag_id)["is_paused"])
        # created while the extract DAGs are paused: fewer writes compete for the database
        for dag_id in EXTRACT_DAGS:
            if not paused[dag_id]:
                api.set_paused(dag_id, True)
        for dag_id in EXTRACT_DAGS:
            mar = api.max_active_runs(dag_id)
            say(f"▶ backfill of {dag_id} {first} … {last} (at most {mar} runs at a time)")
            create_backfill(api, dag_id, first, last, mar)
        for dag_id in BACKFILL_DAGS:  # Airflow starts no run of a paused DAG, backfills included
            api.set_paused(dag_id, False)
        t0 = time.monotonic()
        states = _wait_backfills(api, airflow, first, last)
        say(f"  extract runs finished in {time.monotonic() - t0:.0f}s")
        failed = {d: [r for r, s in runs.items() if s != "success"] for d, runs in states.items()}
        if any(failed.values()):
            raise SystemExit(
                "backfill runs failed: "
                + "; ".join(f"{d}: {', '.join(v)}" for d, v in failed.items() if v)
                + " (logs in the UI or under "
                + str(home / "logs")
                + "); the warehouse was not rebuilt"
            )
        say(f"▶ warehouse_build for {last} …")
        t0 = time.monotonic()
        run_id = api.trigger("warehouse_build", {"date": last.isoformat()})
        state = _wait_run(api, airflow, "warehouse_build", run_id)
        if state != "success":
            raise SystemExit(f"warehouse_build {run_id} ended {state}; see its logs in the UI")
        say(f"  built in {time.monotonic() - t0:.0f}s")
    finally:
        for dag_id, was_paused in paused.items():
            if was_paused:
                with contextlib.suppress(Exception):
                    api.set_paused(dag_id, True)
        if airflow is not None:
            say("Stopping the background Airflow …")
            airflow.stop()
    say("")
    say(backfill_summary(season, first, last, lake, time.monotonic() - started))
    return 0


def _wait_dags(api: AirflowApi, dag_ids: tuple[str, ...], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not api.dags_ready(dag_ids):
        if time.monotonic() > deadline:
            raise SystemExit(f"Airflow at {api.url} does not list {', '.join(dag_ids)}")
        time.sleep(1)


def create_backfill(
    api: AirflowApi, dag_id: str, first: date, last: date, max_active_runs: int
) -> None:
    """A backfill of ``dag_id`` over ``first … last``, after clearing what an earlier one left.

    Airflow allows one unfinished backfill per DAG: one that appeared meanwhile (a create that
    was applied although its answer was lost, then retried) is cleared too, once.
    """
    body = {
        "dag_id": dag_id,
        "from_date": f"{first.isoformat()}T00:00:00Z",
        "to_date": f"{last.isoformat()}T00:00:00Z",
        "max_active_runs": max_active_runs,
        "reprocess_behavior": "completed",
        "run_backwards": False,
    }
    clear_leftovers(api, dag_id, first, last)
    try:
        api.call("POST", "backfills", json=body)
    except ApiError as exc:
        if exc.status != 409:  # 409: there is already an unfinished backfill of this DAG
            raise
        clear_leftovers(api, dag_id, first, last)
        api.call("POST", "backfills", json=body)


def clear_leftovers(api: AirflowApi, dag_id: str, first: date, last: date) -> None:
    """What an interrupted shortcut (or another backfill) left for this DAG: Airflow allows one
    unfinished backfill per DAG, so it is cancelled; its runs still queued or "running" (with no
    task behind them once their Airflow stopped) would be skipped as "in flight" by the new
    backfill, so they are marked failed, and reprocess behaviour ``completed`` runs them again
    under the new backfill's bound."""
    windows = [(first, last)]
    for b in api.every("backfills", "backfills", {"dag_id": dag_id}):
        if b.get("completed_at") is None:
            lo, hi = date.fromisoformat(b["from_date"][:10]), date.fromisoformat(b["to_date"][:10])
            try:
                api.call("PUT", f"backfills/{b['id']}/cancel")
            except ApiError as exc:
                if exc.status != 409:  # 409: it completed meanwhile
                    raise
            else:
                say(f"  cancelled the unfinished backfill {b['id']} of {dag_id} ({lo} … {hi})")
            windows.append((lo, hi))
    for lo, hi in windows:
        for run in api.runs(dag_id, lo, hi):
            if run["run_type"] == "backfill" and run["state"] in ("queued", "running"):
                say(f"  marking the left-over run {run['dag_run_id']} failed, to run it again")
                api.set_run_state(dag_id, run["dag_run_id"], "failed")


def _check_alive(airflow: LocalAirflow | None) -> None:
    """The background Airflow must still run (a busy API server is waited for by ``call``)."""
    if airflow is not None and not airflow.alive():
        raise SystemExit(airflow.died("the background Airflow stopped"))


def _wait_backfills(
    api: AirflowApi, airflow: LocalAirflow | None, first: date, last: date
) -> dict[str, dict[str, str]]:
    """Until every day of the window has a finished run of both extract DAGs; prints progress."""
    days = (last - first).days + 1
    shown, shown_at = "", 0.0
    while True:
        _check_alive(airflow)
        states = {
            dag_id: {
                (r["logical_date"] or "")[:10]: r["state"] for r in api.runs(dag_id, first, last)
            }
            for dag_id in EXTRACT_DAGS
        }
        line = "  " + " · ".join(
            f"{d}: {sum(s == 'success' for s in runs.values())}/{days} done"
            + (f", {n} running" if (n := sum(s == "running" for s in runs.values())) else "")
            + (f", {n} failed" if (n := sum(s == "failed" for s in runs.values())) else "")
            for d, runs in states.items()
        )
        finished = all(
            len(runs) == days and all(s in ("success", "failed") for s in runs.values())
            for runs in states.values()
        )
        # a line when something changed, at most every 15 s (a season is 92 days)
        if line != shown and (finished or time.monotonic() - shown_at >= 15):
            say(line)
            shown, shown_at = line, time.monotonic()
        if finished:
            return states
        time.sleep(2)


def _wait_run(api: AirflowApi, airflow: LocalAirflow | None, dag_id: str, run_id: str) -> str:
    while True:
        _check_alive(airflow)
        state = api.run_state(dag_id, run_id)
        if state in ("success", "failed"):
            return state
        time.sleep(2)


def backfill_summary(
    season: SeasonWindow, first: date, last: date, lake: Lake, seconds: float
) -> str:
    runs = lake.reports / "runs"
    lines = [
        f"{season.name}: backfilled {first} … {last} in {seconds / 60:.1f} min.",
        "",
        f"  {'day':<12}{'consonance_extract':<48}bytenite_extract",
    ]
    day = first
    while day <= last:
        c = load_report(runs / day.isoformat() / "consonance_extract.json").get(
            "headline", "(no report)"
        )
        b = load_report(runs / day.isoformat() / "bytenite_extract.json").get(
            "headline", "(no report)"
        )
        lines.append(f"  {day.isoformat():<12}{c:<48}{b}")
        day += timedelta(days=1)
    build = load_report(runs / last.isoformat() / "warehouse_build.json")
    report = next(
        (
            d.split(": ", 1)[1]
            for d in build.get("details", [])
            if d.startswith("performance report: ")
        ),
        str(lake.reports / "performance" / last.isoformat() / "index.html"),
    )
    lines += [
        "",
        f"warehouse_build ({last}): {build.get('headline', '(no report)')}",
        f"  warehouse   {lake.warehouse}",
        f"  report      {report}",
        "A rerun of the same window replaces these partitions.",
    ]
    return "\n".join(lines)
