"""Command line: the default run, the Airflow UI, season backfills, the emulators.

``python -m titlevideo.cli run [--date YYYY-MM-DD]`` is ``make run``: it starts both emulators
(or reuses the ones already serving), prepares a local Airflow (SQLite metadata under
``.airflow/``), runs one full daily cycle through the five DAGs with ``airflow dags test``, and
prints what happened and where to look.

``python -m titlevideo.cli airflow`` is ``make airflow``: ``airflow standalone`` (api-server,
scheduler, dag-processor, triggerer; LocalExecutor, SQLite) on the same ``.airflow/`` home, with
the project's DAGs, the connections to the emulators, the ``duckdb_writer`` pool and the examples
off. It prints the URL and the login (simple auth manager, user ``admin``; the password is kept in
``<AIRFLOW_HOME>/simple_auth_manager_passwords.json.generated``), and runs until Ctrl-C.

``python -m titlevideo.cli backfill --season "Spring 2026"`` is ``make backfill``: the season's
date window from Consonance, then ``airflow backfill create`` for both extract DAGs over it, then
one ``warehouse_build`` for the window's end. See :func:`cmd_backfill` for why it runs a scheduler.

If ``AIRFLOW_CONN_CONSONANCE_DEFAULT`` and ``AIRFLOW_CONN_BYTENITE_DEFAULT`` are both set, ``airflow``
and ``backfill`` use those systems and start no emulator.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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
        # the emulators run on this machine: the reverse-ETL may write faster than the business
        # rules' defaults for a real deployment (ByteNite's emulator allows 50 requests/s)
        "writes_per_second": 40.0,
    },
    "bytenite": {
        "module": "emulators.bytenite",
        "port": 8082,
        "conn": "AIRFLOW_CONN_BYTENITE_DEFAULT",
        "writes_per_second": 40.0,
    },
}


#: ``[database] sql_alchemy_connect_args`` of the local Airflow (an import path to this dict):
#: the scheduler, the API server and CLI commands like ``airflow backfill create`` share one
#: SQLite file; each waits up to 30 s for the write lock instead of failing at once with
#: "database is locked" (sqlite3's default is 5 s).
SQLITE_CONNECT_ARGS: dict[str, Any] = {"timeout": 30}


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


def start_emulators(
    seed: int, works: int, run_dir: Path, ports: dict[str, int] | None = None
) -> dict[str, str]:
    """Start both emulators in the background (or reuse matching ones); return their base URLs.

    They keep running after the command ends, so the emulated systems remember the writes of the
    previous run (as the real ones would); ``make stop`` stops them. ``ports`` overrides the
    default ports (8081, 8082) per emulator.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    urls = {}
    for name, spec in EMULATORS.items():
        port = (ports or {}).get(name) or spec["port"]
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
                if _health(port) is not None:
                    raise SystemExit(
                        f"port {port} is held by a {name} emulator this Airflow home did not start; "
                        f"stop it, or pick other ports (--{name}-port)"
                    )
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
            (run_dir / f"{name}.port").write_text(str(port))
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
        port_file = run_dir / f"{name}.port"
        try:
            port = int(port_file.read_text())
        except (FileNotFoundError, ValueError):
            port = EMULATORS[name]["port"]
        if pid_file.exists():
            try:
                os.killpg(int(pid_file.read_text()), signal.SIGTERM)
                _say(f"  stopped the {name} emulator")
            except (ProcessLookupError, ValueError, PermissionError):
                pass
            pid_file.unlink()
            port_file.unlink(missing_ok=True)
            deadline = time.monotonic() + 10
            while _health(port) is not None and time.monotonic() < deadline:
                time.sleep(0.2)


def _metadata_conn(env: dict[str, str]) -> str | None:
    """``[database] sql_alchemy_conn`` of this Airflow home, if set (None: Airflow's SQLite default)."""
    conn = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    if conn is None:
        with contextlib.suppress(OSError):
            for line in (Path(env["AIRFLOW_HOME"]) / "airflow.cfg").read_text().splitlines():
                key, _, value = line.partition("=")
                if key.strip() == "sql_alchemy_conn":
                    conn = value.strip()
    return conn


def _uses_sqlite(env: dict[str, str]) -> bool:
    """Whether this Airflow home keeps its metadata in SQLite (the local default)."""
    conn = _metadata_conn(env)
    return conn is None or conn.startswith("sqlite")


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
    if _uses_sqlite(env):
        env.setdefault(
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS", "titlevideo.cli.SQLITE_CONNECT_ARGS"
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
    urls = start_emulators(args.seed, args.works, run_dir, _emulator_ports(args))
    today = date.fromisoformat(_health(int(urls["consonance"].rsplit(":", 1)[1]))["today"])
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
    start_emulators(args.seed, args.works, run_dir, _emulator_ports(args))
    _say("Both emulators are running in the background; `make stop` stops them.")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    stop_emulators(_airflow_home() / "emulators")
    return 0


def _emulator_ports(args: argparse.Namespace) -> dict[str, int]:
    return {
        name: getattr(args, f"{name}_port", None) or spec["port"]
        for name, spec in EMULATORS.items()
    }


def _connections_given() -> bool:
    """Both connections exported by the caller: use those systems, start no emulator."""
    return all(os.environ.get(spec["conn"]) for spec in EMULATORS.values())


def _systems(args: argparse.Namespace, run_dir: Path) -> tuple[dict[str, str], date]:
    """The emulators' URLs (started or reused) and the emulated today; with connections given,
    no URLs (``airflow_env`` keeps the caller's connections) and today in UTC."""
    if _connections_given():
        _say("  using the connections in AIRFLOW_CONN_CONSONANCE_DEFAULT / _BYTENITE_DEFAULT")
        return {}, datetime.now(UTC).date()
    _say("Starting the emulators…")
    urls = start_emulators(args.seed, args.works, run_dir, _emulator_ports(args))
    health = _health(int(urls["consonance"].rsplit(":", 1)[1])) or {}
    return urls, date.fromisoformat(health.get("today") or datetime.now(UTC).date().isoformat())


# --------------------------------------------------------------------------------------------
# A local Airflow: `airflow standalone` as a child process, and its REST API
# --------------------------------------------------------------------------------------------

ADMIN_USER = "admin"
#: Written by `airflow` while the UI runs, so `backfill` submits to it rather than starting a
#: second scheduler on the same SQLite database.
UI_STATE_FILE = "airflow-ui.json"
STANDALONE_COMPONENTS = ("scheduler", "dag_processor", "triggerer")


def _port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_login(env: dict[str, str]) -> tuple[str, str, Path]:
    """The simple auth manager's login: user ``admin``, password from its passwords file.

    Airflow 3's simple auth manager generates a password per user into
    ``<AIRFLOW_HOME>/simple_auth_manager_passwords.json.generated`` (or
    ``[core] simple_auth_manager_passwords_file``) the first time, and keeps any user already in
    the file. Writing the admin's password there first makes the login known before Airflow
    starts; it stays the same across restarts until the file is deleted.
    """
    file = Path(
        env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
        or Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    )
    try:
        passwords = json.loads(file.read_text() or "{}")
    except FileNotFoundError:
        passwords = {}
    except ValueError:
        raise SystemExit(f"{file} is not JSON; delete it to get a new admin password") from None
    if not passwords.get(ADMIN_USER):
        passwords[ADMIN_USER] = secrets.token_urlsafe(12)
        file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(passwords) + "\n")
    return ADMIN_USER, passwords[ADMIN_USER], file


def standalone_env(env: dict[str, str], host: str, port: int, *, headless: bool) -> dict[str, str]:
    """Settings for `airflow standalone` on this machine.

    ``headless`` (the backfill shortcut's own Airflow) turns off the scheduler's own run creation
    (``[scheduler] use_job_schedule = False``): unpausing a DAG for a backfill then starts no
    daily run and no asset-triggered run; backfills and triggered runs still run.
    """
    env = dict(env)
    bin_dir = str(Path(sys.executable).parent)
    log_port = 8793 if not headless and not _port_in_use(8793) else _free_port()
    trigger_log_port = 8794 if not headless and not _port_in_use(8794) else _free_port()
    env.update(
        {
            # standalone starts its components as `airflow …`: this venv's airflow first
            "PATH": bin_dir + os.pathsep + env.get("PATH", ""),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
            "AIRFLOW__API__HOST": host,
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": f"http://localhost:{port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(log_port),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(trigger_log_port),
        }
    )
    # one machine: one API worker, a few tasks at a time (each task is a Python process)
    env.setdefault("AIRFLOW__API__WORKERS", "1")
    env.setdefault("AIRFLOW__CORE__PARALLELISM", "4")
    if headless:
        env["AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE"] = "False"
    return env


class AirflowApi:
    """The REST API v2 of a running Airflow, with a JWT from ``/auth/token`` (simple auth manager)."""

    def __init__(self, url: str, user: str, password: str, timeout: float = 30):
        import requests

        self.url = url.rstrip("/")
        self._login = {"username": user, "password": password}
        self._timeout = timeout
        self._session = requests.Session()
        self._token: str | None = None
        #: how long a busy or restarting API server is waited for before giving up
        self.patience = 180.0

    def health(self) -> dict[str, Any] | None:
        try:
            r = self._session.get(f"{self.url}/api/v2/monitor/health", timeout=5)
            return r.json() if r.ok else None
        except (OSError, ValueError):
            return None

    def _auth(self) -> str:
        if self._token is None:
            r = self._session.post(
                f"{self.url}/auth/token", json=self._login, timeout=self._timeout
            )
            if not r.ok:
                raise SystemExit(f"Airflow at {self.url} refused the login (HTTP {r.status_code})")
            self._token = r.json()["access_token"]
        return self._token

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call; an API server that is busy (timeouts, refused connections, 5xx) is
        waited for up to ``patience`` seconds, an expired token renewed once."""
        import requests

        deadline = time.monotonic() + self.patience
        renewed = False
        delay = 1.0
        while True:
            try:
                r = self._session.request(
                    method,
                    f"{self.url}/api/v2/{path.lstrip('/')}",
                    headers={"Authorization": f"Bearer {self._auth()}"},
                    timeout=self._timeout,
                    **kwargs,
                )
            except requests.RequestException as exc:
                if time.monotonic() > deadline:
                    raise SystemExit(f"Airflow at {self.url} stopped answering: {exc}") from None
                time.sleep(delay)
                delay = min(delay * 2, 10)
                continue
            if r.status_code == 401 and not renewed:
                self._token = None  # expired: log in again
                renewed = True
                continue
            if r.status_code >= 500 and time.monotonic() < deadline:
                time.sleep(delay)
                delay = min(delay * 2, 10)
                continue
            if not r.ok:
                raise AirflowApiError(method, path, r.status_code, r.text[:500])
            return r.json() if r.content else None

    def dag(self, dag_id: str) -> dict[str, Any]:
        return self.call("GET", f"dags/{dag_id}")

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.call("PATCH", f"dags/{dag_id}", json={"is_paused": paused})

    def runs(self, dag_id: str, first: date, last: date) -> list[dict[str, Any]]:
        return self.call(
            "GET",
            f"dags/{dag_id}/dagRuns",
            params={
                "logical_date_gte": f"{first.isoformat()}T00:00:00Z",
                "logical_date_lte": f"{last.isoformat()}T00:00:00Z",
                "limit": 1000,
            },
        )["dag_runs"]

    def trigger(self, dag_id: str, conf: dict[str, Any]) -> str:
        run = self.call("POST", f"dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf})
        return run["dag_run_id"]

    def run_state(self, dag_id: str, run_id: str) -> str:
        from urllib.parse import quote

        return self.call("GET", f"dags/{dag_id}/dagRuns/{quote(run_id, safe='')}")["state"]


class AirflowApiError(RuntimeError):
    def __init__(self, method: str, path: str, status: int, body: str):
        self.status = status
        super().__init__(f"Airflow API {method} /api/v2/{path}: HTTP {status}: {body}")


class LocalAirflow:
    """``airflow standalone`` as a child in its own process group, its output in a log file."""

    def __init__(self, env: dict[str, str], port: int, log_file: Path):
        self.env = env
        self.port = port
        self.log_file = log_file
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start(self) -> None:
        airflow = str(Path(sys.executable).with_name("airflow"))
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_file, "ab")  # noqa: SIM115 - handed to the child
        log.write(
            f"\n$ airflow standalone  (port {self.port}, {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC)\n".encode()
        )
        log.flush()
        self.proc = subprocess.Popen(
            [airflow, "standalone"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=PROJECT_ROOT,
        )
        log.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, api: AirflowApi, dag_ids: tuple[str, ...], timeout: float = 600) -> None:
        """Until every component heartbeats and the DAGs are parsed, with no import error."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise SystemExit(self._died("airflow standalone exited during start-up"))
            health = api.health() or {}
            healthy = all(
                (health.get(c) or {}).get("status") == "healthy"
                for c in ("metadatabase", *STANDALONE_COMPONENTS)
            )
            if healthy and _dags_ready(api, dag_ids):
                return
            if time.monotonic() > deadline:
                raise SystemExit(self._died(f"Airflow was not ready after {timeout:.0f}s"))
            time.sleep(1)

    def _died(self, what: str) -> str:
        tail = self.log_file.read_text(errors="replace").splitlines()[-30:]
        return f"{what}; last lines of {self.log_file}:\n" + "\n".join(tail)

    def stop(self, grace: float = 20) -> None:
        """Ctrl-C to the whole group (standalone stops its components), then TERM, then KILL.

        ``airflow standalone`` itself may hang after its components ended (it joins the threads
        that read their output): once it is the last process of its group it gets TERM at once.
        """
        if self.proc is None:
            return
        pgid = self.proc.pid
        for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                self.proc.poll()
                members = _group_members(pgid)
                if not members or members == {pgid}:
                    break
                time.sleep(0.2)
            if not _group_members(pgid):
                break
        self.proc.poll()


def _group_members(pgid: int) -> set[int]:
    """Live processes of a process group (zombies count as gone)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.add(int(stat.parent.name))
    return out


def _dags_ready(api: AirflowApi, dag_ids: tuple[str, ...]) -> bool:
    try:
        errors = api.call("GET", "importErrors")["import_errors"]
        if errors:
            files = ", ".join(e.get("filename", "?") for e in errors)
            raise SystemExit(
                f"Airflow could not import {files}; see the UI or `airflow dags list-import-errors`"
            )
        for dag_id in dag_ids:
            api.dag(dag_id)
    except AirflowApiError as exc:
        if exc.status == 404:
            return False  # not parsed yet
        raise
    return True


def running_ui(home: Path) -> dict[str, Any] | None:
    """The `make airflow` of this Airflow home, if it is running and answering."""
    try:
        state = json.loads((home / UI_STATE_FILE).read_text())
        os.kill(int(state["pid"]), 0)
    except (FileNotFoundError, ValueError, KeyError, ProcessLookupError, PermissionError):
        return None
    try:
        with urllib.request.urlopen(f"{state['url']}/api/v2/monitor/health", timeout=5):
            return state
    except (OSError, urllib.error.URLError):
        return None


def _raise_interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


def _interrupt_on_signals() -> None:
    """Ctrl-C and SIGTERM both raise KeyboardInterrupt, so the clean-up in ``finally`` runs (also
    when started from a place where SIGINT is ignored, as background jobs of a shell are)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupt)


def cmd_airflow(args: argparse.Namespace) -> int:
    """``make airflow``: the Airflow UI on the emulators, until Ctrl-C."""
    lake = Lake.from_env()
    home = _airflow_home()
    live = running_ui(home)
    if live:
        raise SystemExit(
            f"Airflow is already running for {home}: {live['url']} (pid {live['pid']})"
        )
    if _port_in_use(args.port):
        raise SystemExit(
            f"port {args.port} is in use (another Airflow?); pick another: `make airflow PORT=8090`"
        )
    urls, _ = _systems(args, home / "emulators")
    env = airflow_env(urls, lake)
    log_file = home / "run.log"
    _say(f"Preparing Airflow in {home} …")
    prepare_airflow(env, log_file)
    user, password, password_file = admin_login(env)
    env = standalone_env(env, args.host, args.port, headless=False)
    airflow = LocalAirflow(env, args.port, home / "standalone.log")
    api = AirflowApi(airflow.url, user, password)
    started = time.monotonic()
    _say(f"Starting airflow standalone on port {args.port} (logs: {airflow.log_file}) …")

    _interrupt_on_signals()
    state_file = home / UI_STATE_FILE
    try:
        airflow.start()
        airflow.wait_ready(api, DAG_IDS)
        state_file.write_text(
            json.dumps({"pid": os.getpid(), "url": airflow.url, "port": args.port, "user": user})
        )
        systems = (
            f"Consonance {urls['consonance']} · ByteNite {urls['bytenite']}"
            if urls
            else "the systems in your AIRFLOW_CONN_* variables"
        )
        _say(
            "\n".join(
                [
                    "",
                    f"Airflow is ready at {airflow.url}  (started in {time.monotonic() - started:.0f}s)",
                    f"  log in        user {user!r}, password {password!r}",
                    f"                (kept in {password_file}; delete it for a new one)",
                    f"  DAGs          {', '.join(RUN_ORDER)}",
                    "                new DAGs start paused: unpause one in the UI to schedule it daily,",
                    '                or trigger it with the "date" param (▶ → Trigger DAG w/ config)',
                    f"  connections   consonance_default, bytenite_default → {systems}",
                    f"  lake          {lake.root}",
                    f"  logs          {airflow.log_file}",
                    "Ctrl-C stops Airflow; the emulators keep running (`make stop` stops them).",
                ]
            )
        )
        while airflow.alive():
            time.sleep(1)
        raise SystemExit(airflow._died("airflow standalone stopped"))
    except KeyboardInterrupt:
        _say("\nStopping Airflow …")
        return 0
    finally:
        airflow.stop()
        with contextlib.suppress(FileNotFoundError):
            if json.loads(state_file.read_text()).get("pid") == os.getpid():
                state_file.unlink()


# --------------------------------------------------------------------------------------------
# Season backfills
# --------------------------------------------------------------------------------------------

EXTRACT_DAGS = ("consonance_extract", "bytenite_extract")
BACKFILL_DAGS = (*EXTRACT_DAGS, "warehouse_build")

SEASONS_QUERY = "query Seasons { seasons { id name startDate endDate } }"
SEASON_WORKS_QUERY = """
query SeasonWorks($workSearch: WorkSearchAttributes) {
  works(workSearch: $workSearch) { id season products { id publicationDate } }
}
"""


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
        seasons = client.execute(SEASONS_QUERY, operation="Seasons")["seasons"]
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
        SEASON_WORKS_QUERY, "works", "workSearch", {}, operation="SeasonWorks"
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
    """The Airflow commands the shortcut runs (documented for doing it by hand)."""
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


def cmd_backfill(args: argparse.Namespace) -> int:
    """``make backfill SEASON="Spring 2026"``: extract a publication season again, then rebuild.

    1. The season's window comes from Consonance (:func:`resolve_season`), narrowed by
       ``--from-date/--to-date`` and ending yesterday at the latest.
    2. ``airflow backfill create`` for ``consonance_extract`` and ``bytenite_extract`` over the
       window, ``--max-active-runs`` at each DAG's own ``max_active_runs`` (2), so the APIs see
       what the daily schedule allows, no more. Each backfill run pulls exactly its day: the
       titles with a product published that day (``season`` mode) and that day's ByteNite
       metrics. ``--reprocess-behavior completed`` re-runs days that already have a run, so a
       second backfill of the same window replaces the same partitions (the lake writes are
       keyed by date), which is what makes the shortcut idempotent.
    3. One ``warehouse_build`` run for the window's end (a triggered run with ``{"date": …}``),
       which rebuilds the warehouse and the performance report.

    Why a scheduler rather than ``airflow dags test`` per day: ``airflow backfill create`` only
    records runs; a scheduler executes them (and, in Airflow 3, an API server, which tasks talk
    to). ``dags test`` per day would skip the backfill machinery: its runs are manual runs (the
    extract would need to be told it is a season run), nothing bounds them but running one at a
    time, and each pays ~15 s of Airflow start-up: 92 days x 2 DAGs is ~45 min of start-up alone,
    against ~40 s to start a scheduler once and then two runs at a time per DAG. So the shortcut
    submits to the Airflow that ``make airflow`` runs for the same home (two schedulers must not
    share one SQLite file), or, if none runs, records both backfills while no Airflow process
    writes to the SQLite file (``airflow dags reserialize``, then ``airflow backfill create``;
    next to a busy scheduler SQLite refuses a long create with "database is locked") and then
    starts ``airflow standalone`` in the background for the duration, with the scheduler's own
    run creation off (``use_job_schedule = False``):
    unpausing the three DAGs for the backfill (Airflow does not start runs of a paused DAG, not
    even backfill runs) then starts no daily and no asset-triggered run: only the backfill runs
    and the one build. DAGs the shortcut unpaused are paused again at the end. The reverse-ETL
    DAGs are not run: the next daily cycle pushes what changed.

    Interrupted (Ctrl-C, a crash), it leaves an unfinished backfill and runs marked running; the
    next shortcut of the window cancels the one and re-runs the others (:func:`_clear_leftovers`).
    """
    started = time.monotonic()
    _interrupt_on_signals()
    lake = Lake.from_env()
    home = _airflow_home()
    urls, today = _systems(args, home / "emulators")
    env = airflow_env(urls, lake)
    for spec in EMULATORS.values():  # this process reads the connection too
        os.environ.setdefault(spec["conn"], env[spec["conn"]])

    from titlevideo.connections import CONSONANCE_CONN_ID, from_env
    from titlevideo.consonance.client import ConsonanceClient

    season = resolve_season(ConsonanceClient(from_env(CONSONANCE_CONN_ID)), args.season)
    first, last, notes = backfill_window(season, today, args.from_date, args.to_date)
    days = (last - first).days + 1
    _say(f"{season.name}: {season.start} … {season.end} (from {season.source})")
    for note in notes:
        _say(f"  {note}")
    _say(f"Backfilling {first} … {last} ({days} day{'s' if days != 1 else ''}) with:")
    for command in plain_commands(first, last):
        _say(f"  {command}")
    if args.dry_run:
        return 0

    log_file = home / "run.log"
    create_log = home / "backfill-create.log"
    prepare_airflow(env, log_file)
    live = running_ui(home)
    user, password, _ = admin_login(env)
    airflow: LocalAirflow | None = None
    created = False
    t0 = time.monotonic()
    if live:
        api = AirflowApi(live["url"], user, password)
        _say(
            f"Submitting to the Airflow already running at {live['url']} (make airflow); "
            "unpausing there also starts the DAGs' latest daily run and asset-triggered builds, "
            "as unpausing in the UI does."
        )
    else:
        # No Airflow runs for this home, so the backfills are recorded before one starts:
        # `airflow backfill create` then writes to SQLite alone (with a scheduler writing too,
        # SQLite refuses a long create with "database is locked").
        _airflow(["dags", "reserialize"], env, log_file, "airflow dags reserialize")
        db = _sqlite_db(env)
        if db is not None and not _unfinished_backfills(db, EXTRACT_DAGS):
            for dag_id in EXTRACT_DAGS:
                mar = _max_active_runs(db, dag_id)
                _say(
                    f"▶ airflow backfill create --dag-id {dag_id} … (at most {mar} runs at a time)"
                )
                _airflow(
                    _backfill_args(dag_id, first, last, mar),
                    env,
                    create_log,
                    f"airflow backfill create for {dag_id}",
                )
            created = True
        port = _free_port()
        airflow = LocalAirflow(
            standalone_env(env, "127.0.0.1", port, headless=True),
            port,
            home / "backfill-airflow.log",
        )
        api = AirflowApi(airflow.url, user, password)
        _say(f"Starting a background Airflow for the backfill (logs: {airflow.log_file}) …")
        airflow.start()
    paused: dict[str, bool] = {}
    try:
        if airflow is not None:
            airflow.wait_ready(api, BACKFILL_DAGS)
            _say(f"  ready in {time.monotonic() - t0:.0f}s")
        else:
            _wait_dags(api, BACKFILL_DAGS)
        for dag_id in BACKFILL_DAGS:
            paused[dag_id] = bool(api.dag(dag_id)["is_paused"])
        if not created:
            # a running scheduler (make airflow), or left-overs of an interrupted backfill to
            # clear first: create while the extract DAGs are paused (fewer writes compete), retry
            # when SQLite is busy
            for dag_id in EXTRACT_DAGS:
                if not paused[dag_id]:
                    api.set_paused(dag_id, True)
            for dag_id in EXTRACT_DAGS:
                mar = int(api.call("GET", f"dags/{dag_id}/details")["max_active_runs"] or 1)
                _say(
                    f"▶ airflow backfill create --dag-id {dag_id} … (at most {mar} runs at a time)"
                )
                _create_backfill(api, dag_id, first, last, mar, env, create_log)
        for dag_id in BACKFILL_DAGS:  # Airflow starts no run of a paused DAG, backfills included
            api.set_paused(dag_id, False)
        t0 = time.monotonic()
        states = _wait_backfills(api, airflow, first, last)
        _say(f"  extract runs finished in {time.monotonic() - t0:.0f}s")
        failed = {d: [r for r, s in runs.items() if s != "success"] for d, runs in states.items()}
        if any(failed.values()):
            raise SystemExit(
                "backfill runs failed: "
                + "; ".join(f"{d}: {', '.join(v)}" for d, v in failed.items() if v)
                + " (logs in the UI or under "
                + str(home / "logs")
                + "); the warehouse was not rebuilt"
            )
        _say(f"▶ warehouse_build for {last} …")
        t0 = time.monotonic()
        run_id = api.trigger("warehouse_build", {"date": last.isoformat()})
        state = _wait_run(api, airflow, "warehouse_build", run_id)
        if state != "success":
            raise SystemExit(f"warehouse_build {run_id} ended {state}; see its logs in the UI")
        _say(f"  built in {time.monotonic() - t0:.0f}s")
    finally:
        for dag_id, was_paused in paused.items():
            if was_paused:
                with contextlib.suppress(Exception):
                    api.set_paused(dag_id, True)
        if airflow is not None:
            _say("Stopping the background Airflow …")
            airflow.stop()
    _say("")
    _say(backfill_summary(season, first, last, lake, time.monotonic() - started))
    return 0


def _wait_dags(api: AirflowApi, dag_ids: tuple[str, ...], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not _dags_ready(api, dag_ids):
        if time.monotonic() > deadline:
            raise SystemExit(f"Airflow at {api.url} does not list {', '.join(dag_ids)}")
        time.sleep(1)


def _backfill_args(dag_id: str, first: date, last: date, max_active_runs: int) -> list[str]:
    return [
        "backfill",
        "create",
        "--dag-id",
        dag_id,
        "--from-date",
        first.isoformat(),
        "--to-date",
        last.isoformat(),
        "--max-active-runs",
        str(max_active_runs),
        "--reprocess-behavior",
        "completed",
    ]


def _sqlite_db(env: dict[str, str]) -> Path | None:
    """The SQLite file of this Airflow home (None if its metadata is elsewhere)."""
    conn = _metadata_conn(env) or f"sqlite:///{Path(env['AIRFLOW_HOME']) / 'airflow.db'}"
    path = Path(conn.removeprefix("sqlite:///"))
    return path if conn.startswith("sqlite:///") and path.is_absolute() and path.exists() else None


def _read_db(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """A read-only look at the Airflow database (no Airflow process is running)."""
    import sqlite3

    con = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _unfinished_backfills(db: Path, dag_ids: tuple[str, ...]) -> list[tuple[Any, ...]]:
    marks = ", ".join("?" for _ in dag_ids)
    return _read_db(
        db,
        f"select id, dag_id from backfill where completed_at is null and dag_id in ({marks})",
        dag_ids,
    )


def _max_active_runs(db: Path, dag_id: str) -> int:
    rows = _read_db(db, "select max_active_runs from dag where dag_id = ?", (dag_id,))
    if not rows:
        raise SystemExit(
            f"Airflow does not know the DAG {dag_id}; see `airflow dags list-import-errors`"
        )
    return int(rows[0][0] or 1)


def _create_backfill(
    api: AirflowApi,
    dag_id: str,
    first: date,
    last: date,
    max_active_runs: int,
    env: dict[str, str],
    log_file: Path,
) -> None:
    """``airflow backfill create`` next to a running scheduler. Both write to one SQLite file, and
    SQLite can refuse the create part-way with "database is locked"; the part it recorded is
    then cleared (:func:`_clear_leftovers`) and the command run again."""
    args = _backfill_args(dag_id, first, last, max_active_runs)
    for attempt in range(1, 6):
        _clear_leftovers(api, dag_id, first, last)
        size = log_file.stat().st_size if log_file.exists() else 0
        try:
            _airflow(args, env, log_file, f"airflow backfill create for {dag_id}")
            return
        except SystemExit:
            with open(log_file, "rb") as fh:
                fh.seek(size)
                locked = b"database is locked" in fh.read()
            if not locked or attempt == 5:
                raise
            _say("  the Airflow database was busy; trying again")
            time.sleep(2 * attempt)


def _clear_leftovers(api: AirflowApi, dag_id: str, first: date, last: date) -> None:
    """What an interrupted shortcut (or another backfill) left for this DAG: Airflow allows one
    unfinished backfill per DAG, so it is cancelled; its runs still queued or "running" (with no
    task behind them once their Airflow stopped) would be skipped as "in flight" by the new
    backfill, so they are marked failed, and ``--reprocess-behavior completed`` runs them again
    under the new backfill's bound."""
    from urllib.parse import quote

    windows = [(first, last)]
    for b in api.call("GET", "backfills", params={"dag_id": dag_id, "limit": 100})["backfills"]:
        if b.get("completed_at") is None:
            lo, hi = date.fromisoformat(b["from_date"][:10]), date.fromisoformat(b["to_date"][:10])
            try:
                api.call("PUT", f"backfills/{b['id']}/cancel")
            except AirflowApiError as exc:
                if exc.status != 409:  # 409: it completed meanwhile
                    raise
            else:
                _say(f"  cancelled the unfinished backfill {b['id']} of {dag_id} ({lo} … {hi})")
            windows.append((lo, hi))
    for lo, hi in windows:
        for run in api.runs(dag_id, lo, hi):
            if run["run_type"] == "backfill" and run["state"] in ("queued", "running"):
                _say(f"  marking the left-over run {run['dag_run_id']} failed, to run it again")
                api.call(
                    "PATCH",
                    f"dags/{dag_id}/dagRuns/{quote(run['dag_run_id'], safe='')}",
                    json={"state": "failed"},
                )


def _check_alive(airflow: LocalAirflow | None) -> None:
    """The background Airflow must still run (a busy API server is waited for by ``call``)."""
    if airflow is not None and not airflow.alive():
        raise SystemExit(airflow._died("the background Airflow stopped"))


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
            _say(line)
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
        c = _load(runs / day.isoformat() / "consonance_extract.json").get("headline", "(no report)")
        b = _load(runs / day.isoformat() / "bytenite_extract.json").get("headline", "(no report)")
        lines.append(f"  {day.isoformat():<12}{c:<48}{b}")
        day += timedelta(days=1)
    build = _load(runs / last.isoformat() / "warehouse_build.json")
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
    ui = sub.add_parser("airflow", help="the Airflow UI (airflow standalone) until Ctrl-C")
    ui.add_argument("--port", type=int, default=int(os.environ.get("AIRFLOW_PORT", 8080)))
    ui.add_argument(
        "--host", default="127.0.0.1", help="interface to serve on (0.0.0.0 for every one)"
    )
    backfill = sub.add_parser(
        "backfill", help="extract one publication season again, then rebuild the warehouse"
    )
    backfill.add_argument(
        "--season", required=True, help='a season Consonance knows: "Spring 2026"'
    )
    backfill.add_argument(
        "--from-date", type=date.fromisoformat, default=None, help="start inside the season"
    )
    backfill.add_argument(
        "--to-date", type=date.fromisoformat, default=None, help="end inside the season"
    )
    backfill.add_argument(
        "--dry-run", action="store_true", help="print the window and the commands, run nothing"
    )
    emulators = sub.add_parser("emulators", help="start both emulators in the background")
    for p in (run, ui, backfill, emulators):
        p.add_argument("--seed", type=int, default=int(os.environ.get("EMULATOR_SEED", 42)))
        p.add_argument("--works", type=int, default=int(os.environ.get("EMULATOR_WORKS", 2000)))
        for name, spec in EMULATORS.items():
            p.add_argument(f"--{name}-port", type=int, default=spec["port"])
    sub.add_parser("stop", help="stop the background emulators")
    args = parser.parse_args(argv)
    if shutil.which("airflow") is None and not Path(sys.executable).with_name("airflow").exists():
        raise SystemExit(
            "airflow is not installed in this environment; run `make run` (it sets up .venv)"
        )
    commands = {
        "run": cmd_run,
        "airflow": cmd_airflow,
        "backfill": cmd_backfill,
        "emulators": cmd_emulators,
        "stop": cmd_stop,
    }
    try:
        return commands[args.command](args)
    except KeyboardInterrupt:
        _say("\ninterrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
