"""Command line: the default run, the emulators, season backfills.

``python -m titlevideo.cli run [--date YYYY-MM-DD]`` is ``make run``: it starts both emulators
(or reuses the ones already serving), prepares a local Airflow (SQLite metadata under
``.airflow/``), runs one full daily cycle through the five DAGs with ``airflow dags test``, and
prints what happened and where to look.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from titlevideo import DAG_IDS
from titlevideo.config import PROJECT_ROOT, Lake
from titlevideo.connections import connection_json

RUN_ORDER = (
    "consonance_extract",
    "bytenite_extract",
    "warehouse_build",
    "bytenite_sync",
    "consonance_sync",
)
assert set(RUN_ORDER) == set(DAG_IDS)

EMULATORS = {
    "consonance": {
        "module": "emulators.consonance",
        "port": 8081,
        "conn": "AIRFLOW_CONN_CONSONANCE_DEFAULT",
    },
    "bytenite": {
        "module": "emulators.bytenite",
        "port": 8082,
        "conn": "AIRFLOW_CONN_BYTENITE_DEFAULT",
    },
}


def _say(message: str) -> None:
    print(message, flush=True)


def _airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or PROJECT_ROOT / ".airflow").resolve()


def _health(port: int) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health", timeout=2) as r:
            return json.loads(r.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None


def _default_key(name: str) -> str:
    module = __import__(EMULATORS[name]["module"], fromlist=["DEFAULT_API_KEY"])
    return module.DEFAULT_API_KEY


def start_emulators(seed: int, works: int, run_dir: Path) -> dict[str, str]:
    """Start both emulators in the background (or reuse matching ones); return their base URLs.

    They keep running after the command ends, so the emulated systems remember the writes of the
    previous run (as the real ones would); ``make stop`` stops them.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    urls = {}
    for name, spec in EMULATORS.items():
        port = spec["port"]
        health = _health(port)
        if health and (health.get("seed"), health.get("works")) == (seed, works):
            _say(
                f"  {name} emulator already running on :{port} (seed {seed}, {works} works, today {health['today']})"
            )
        else:
            if health:
                _say(
                    f"  {name} emulator on :{port} has another world (seed {health.get('seed')}, "
                    f"{health.get('works')} works); restarting it"
                )
                stop_emulators(run_dir, only=name)
            log = open(run_dir / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    spec["module"],
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--seed",
                    str(seed),
                    "--works",
                    str(works),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=PROJECT_ROOT,
            )
            (run_dir / f"{name}.pid").write_text(str(proc.pid))
            deadline = time.monotonic() + 60
            while _health(port) is None:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(
                        f"the {name} emulator did not start; see {run_dir / f'{name}.log'}"
                    )
                time.sleep(0.2)
            _say(
                f"  {name} emulator started on :{port} (pid {proc.pid}; log {run_dir / f'{name}.log'})"
            )
        urls[name] = f"http://127.0.0.1:{port}"
    return urls


def stop_emulators(run_dir: Path, only: str | None = None) -> None:
    for name in EMULATORS:
        if only and name != only:
            continue
        pid_file = run_dir / f"{name}.pid"
        if pid_file.exists():
            try:
                os.killpg(int(pid_file.read_text()), signal.SIGTERM)
                _say(f"  stopped the {name} emulator")
            except (ProcessLookupError, ValueError, PermissionError):
                pass
            pid_file.unlink()
        deadline = time.monotonic() + 10
        while _health(EMULATORS[name]["port"]) is not None and time.monotonic() < deadline:
            time.sleep(0.2)


def airflow_env(urls: dict[str, str], lake: Lake) -> dict[str, str]:
    env = dict(os.environ)
    home = _airflow_home()
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "LAKE_ROOT": str(lake.root),
        }
    )
    for name, url in urls.items():
        spec = EMULATORS[name]
        env.setdefault(
            spec["conn"],
            connection_json(url, _default_key(name), writes_per_second=spec["writes_per_second"]),
        )
    return env


def _airflow(args: list[str], env: dict[str, str], log_file: Path, what: str) -> None:
    airflow = str(Path(sys.executable).with_name("airflow"))
    with open(log_file, "ab") as log:
        log.write(f"\n$ airflow {' '.join(args)}\n".encode())
        log.flush()
        proc = subprocess.run(
            [airflow, *args], env=env, stdout=log, stderr=subprocess.STDOUT, check=False
        )
    if proc.returncode != 0:
        tail = log_file.read_text(errors="replace").splitlines()[-40:]
        raise SystemExit(
            f"{what} failed (exit {proc.returncode}); last lines of {log_file}:\n" + "\n".join(tail)
        )


def prepare_airflow(env: dict[str, str], log_file: Path) -> None:
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    marker = home / ".migrated"
    if not marker.exists():
        _say("  airflow db migrate (first run only)…")
        _airflow(["db", "migrate"], env, log_file, "airflow db migrate")
        marker.touch()
    _airflow(
        ["pools", "set", "duckdb_writer", "1", "DuckDB warehouse: single writer"],
        env,
        log_file,
        "creating the duckdb_writer pool",
    )


def run_cycle(day: date, env: dict[str, str], log_file: Path) -> list[tuple[str, float]]:
    timings = []
    conf = json.dumps({"date": day.isoformat()})
    for dag_id in RUN_ORDER:
        started = time.monotonic()
        _say(f"  ▶ {dag_id} …")
        _airflow(
            ["dags", "test", dag_id, day.isoformat(), "--conf", conf],
            env,
            log_file,
            f"DAG {dag_id}",
        )
        elapsed = time.monotonic() - started
        timings.append((dag_id, elapsed))
        _say(f"    done in {elapsed:.0f}s")
    return timings


def _load(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def summarise(day: date, lake: Lake, timings: list[tuple[str, float]]) -> str:
    """A readable account of the run from the run reports the tasks wrote."""
    runs = lake.reports / "runs" / day.isoformat()
    lines = [f"Daily cycle for {day} finished in {sum(t for _, t in timings):.0f}s.", ""]
    for dag_id, _ in timings:
        report = _load(runs / f"{dag_id}.json")
        lines.append(f"{dag_id}: {report.get('headline', '(no report)')}")
        lines.extend(f"    {line}" for line in report.get("details", []))
    lines += [
        "",
        "Where to look:",
        f"  warehouse   {lake.warehouse}  (open read-only: duckdb -readonly {lake.warehouse})",
        f"  data docs   {lake.reports / 'data_docs' / 'index.html'}",
        f"  report      {lake.reports / 'performance' / day.isoformat() / 'index.html'}",
        f"  lake        {lake.raw}",
        f"  logs        {_airflow_home() / 'run.log'}",
    ]
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    lake = Lake.from_env()
    home = _airflow_home()
    run_dir = home / "emulators"
    _say("Starting the emulators…")
    urls = start_emulators(args.seed, args.works, run_dir)
    today = date.fromisoformat(_health(EMULATORS["consonance"]["port"])["today"])
    day = args.date or today - timedelta(days=1)
    if day >= today:
        raise SystemExit(
            f"--date {day} is not over yet in the emulated world (today is {today}); pick an earlier day"
        )
    env = airflow_env(urls, lake)
    log_file = home / "run.log"
    _say(f"Preparing Airflow in {home} …")
    prepare_airflow(env, log_file)
    _say(f"Running the daily cycle for {day} (emulated today: {today}) …")
    timings = run_cycle(day, env, log_file)
    _say("")
    _say(summarise(day, lake, timings))
    return 0


def cmd_emulators(args: argparse.Namespace) -> int:
    run_dir = _airflow_home() / "emulators"
    start_emulators(args.seed, args.works, run_dir)
    _say("Both emulators are running in the background; `make stop` stops them.")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    stop_emulators(_airflow_home() / "emulators")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="titlevideo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="one full daily cycle on the emulators")
    run.add_argument(
        "--date",
        type=date.fromisoformat,
        default=None,
        help="logical day (default: yesterday, emulated)",
    )
    for p in (run, sub.add_parser("emulators", help="start both emulators in the background")):
        p.add_argument("--seed", type=int, default=int(os.environ.get("EMULATOR_SEED", 42)))
        p.add_argument("--works", type=int, default=int(os.environ.get("EMULATOR_WORKS", 2000)))
    sub.add_parser("stop", help="stop the background emulators")
    args = parser.parse_args(argv)
    if shutil.which("airflow") is None and not Path(sys.executable).with_name("airflow").exists():
        raise SystemExit(
            "airflow is not installed in this environment; run `make run` (it sets up .venv)"
        )
    return {"run": cmd_run, "emulators": cmd_emulators, "stop": cmd_stop}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
