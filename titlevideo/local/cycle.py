"""``make run``: one daily cycle through the five DAGs with ``airflow dags test``, and a summary
of what happened from the run reports the tasks wrote."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from titlevideo import DAG_IDS
from titlevideo.config import Lake
from titlevideo.local import airflow_home, say
from titlevideo.local.airflow import airflow_env, prepare_airflow, run_airflow
from titlevideo.local.emulators import emulated_today, start_emulators

RUN_ORDER = (
    "consonance_extract",
    "bytenite_extract",
    "warehouse_build",
    "bytenite_sync",
    "consonance_sync",
)
assert set(RUN_ORDER) == set(DAG_IDS)


def load_report(path: Path) -> dict[str, Any]:
    """A run report (``reports/runs/<day>/<dag_id>.json``), or {} if there is none."""
    try:
        report: dict[str, Any] = json.loads(path.read_text())
        return report
    except (FileNotFoundError, ValueError):
        return {}


def run_cycle(day: date, env: dict[str, str], log_file: Path) -> list[tuple[str, float]]:
    """Each DAG of :data:`RUN_ORDER` for ``day``; the seconds each took."""
    timings = []
    conf = json.dumps({"date": day.isoformat()})
    for dag_id in RUN_ORDER:
        started = time.monotonic()
        say(f"  ▶ {dag_id} …")
        run_airflow(
            ["dags", "test", dag_id, day.isoformat(), "--conf", conf],
            env,
            log_file,
            f"DAG {dag_id}",
        )
        elapsed = time.monotonic() - started
        timings.append((dag_id, elapsed))
        say(f"    done in {elapsed:.0f}s")
    return timings


def summarise(day: date, lake: Lake, timings: list[tuple[str, float]]) -> str:
    """A readable account of the run from the run reports the tasks wrote."""
    runs = lake.reports / "runs" / day.isoformat()
    lines = [f"Daily cycle for {day} finished in {sum(t for _, t in timings):.0f}s.", ""]
    for dag_id, _ in timings:
        report = load_report(runs / f"{dag_id}.json")
        lines.append(f"{dag_id}: {report.get('headline', '(no report)')}")
        lines.extend(f"    {line}" for line in report.get("details", []))
    lines += [
        "",
        "Where to look:",
        f"  warehouse   {lake.warehouse}  (a read-only SQL shell on it: make sql)",
        f"  data docs   {lake.reports / 'data_docs' / 'index.html'}",
        f"  report      {lake.reports / 'performance' / day.isoformat() / 'index.html'}",
        f"  imprints    {lake.reports / 'imprints' / 'index.csv'}  (a CSV per imprint per season)",
        f"  lake        {lake.raw}",
        f"  logs        {airflow_home() / 'run.log'}",
    ]
    return "\n".join(lines)


def run_daily(seed: int, works: int, ports: dict[str, int], day: date | None) -> int:
    """``make run``: the emulators, a prepared Airflow home, one cycle for ``day`` (default:
    yesterday in the emulated world) and its summary."""
    lake = Lake.from_env()
    home = airflow_home()
    say("Starting the emulators…")
    urls = start_emulators(seed, works, home / "emulators", ports)
    today = emulated_today(urls)
    day = day or today - timedelta(days=1)
    if day >= today:
        raise SystemExit(
            f"--date {day} is not over yet in the emulated world (today is {today}); pick an earlier day"
        )
    env = airflow_env(urls, lake, home)
    log_file = home / "run.log"
    say(f"Preparing Airflow in {home} …")
    prepare_airflow(env, log_file)
    say(f"Running the daily cycle for {day} (emulated today: {today}) …")
    timings = run_cycle(day, env, log_file)
    say("")
    say(summarise(day, lake, timings))
    return 0
