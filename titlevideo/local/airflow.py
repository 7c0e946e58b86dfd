"""An Airflow home on this machine: its environment, its CLI, and ``airflow standalone``.

The home (``AIRFLOW_HOME``, default ``.airflow/``) keeps its metadata in SQLite unless configured
otherwise. Commands that need no running Airflow (``db migrate``, ``pools set``, ``dags test``)
go through the ``airflow`` CLI; everything asked of a running Airflow goes through its REST API
(:mod:`titlevideo.local.api`).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from titlevideo.config import PROJECT_ROOT, Lake
from titlevideo.connections import connection_json
from titlevideo.local import say
from titlevideo.local.emulators import EMULATORS, default_key

if TYPE_CHECKING:
    from titlevideo.local.api import AirflowApi

#: ``[database] sql_alchemy_connect_args`` of the local Airflow (an import path to this dict):
#: the scheduler, the API server and CLI commands share one SQLite file; each waits up to 30 s
#: for the write lock instead of failing at once with "database is locked" (sqlite3's default
#: is 5 s).
SQLITE_CONNECT_ARGS: dict[str, Any] = {"timeout": 30}

ADMIN_USER = "admin"
#: Written by ``make airflow`` while the UI runs, so a backfill submits to it rather than
#: starting a second scheduler on the same SQLite database.
UI_STATE_FILE = "airflow-ui.json"
STANDALONE_COMPONENTS = ("scheduler", "dag_processor", "triggerer")


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


def uses_sqlite(env: dict[str, str]) -> bool:
    """Whether this Airflow home keeps its metadata in SQLite (the local default)."""
    conn = _metadata_conn(env)
    return conn is None or conn.startswith("sqlite")


def airflow_env(urls: dict[str, str], lake: Lake, home: Path) -> dict[str, str]:
    """The environment of every Airflow process of ``home``: the project's DAGs and plugins,
    no examples, new DAGs paused, the lake, and a connection to each emulator in ``urls``
    (a connection the caller exported is kept)."""
    env = dict(os.environ)
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
    if uses_sqlite(env):
        env.setdefault(
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS",
            f"{__name__}.SQLITE_CONNECT_ARGS",
        )
    for name, url in urls.items():
        spec = EMULATORS[name]
        env.setdefault(
            spec.conn,
            connection_json(url, default_key(name), writes_per_second=spec.writes_per_second),
        )
    return env


def run_airflow(args: list[str], env: dict[str, str], log_file: Path, what: str) -> None:
    """``airflow <args>`` of this venv, its output appended to ``log_file``; fails with the log's
    tail."""
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
    """The metadata database (migrated once per home) and the ``duckdb_writer`` pool."""
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    marker = home / ".migrated"
    if not marker.exists():
        say("  airflow db migrate (first run only)…")
        run_airflow(["db", "migrate"], env, log_file, "airflow db migrate")
        marker.touch()
    run_airflow(
        ["pools", "set", "duckdb_writer", "1", "DuckDB warehouse: single writer"],
        env,
        log_file,
        "creating the duckdb_writer pool",
    )


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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
        passwords: dict[str, str] = json.loads(file.read_text() or "{}")
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
    log_port = 8793 if not headless and not port_in_use(8793) else free_port()
    trigger_log_port = 8794 if not headless and not port_in_use(8794) else free_port()
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
                raise SystemExit(self.died("airflow standalone exited during start-up"))
            health = api.health() or {}
            healthy = all(
                (health.get(c) or {}).get("status") == "healthy"
                for c in ("metadatabase", *STANDALONE_COMPONENTS)
            )
            if healthy and api.dags_ready(dag_ids):
                return
            if time.monotonic() > deadline:
                raise SystemExit(self.died(f"Airflow was not ready after {timeout:.0f}s"))
            time.sleep(1)

    def died(self, what: str) -> str:
        """``what``, with the last lines of the log."""
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
                members = group_members(pgid)
                if not members or members == {pgid}:
                    break
                time.sleep(0.2)
            if not group_members(pgid):
                break
        self.proc.poll()


def group_members(pgid: int) -> set[int]:
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


def running_ui(home: Path) -> dict[str, Any] | None:
    """The `make airflow` of this Airflow home, if it is running and answering."""
    try:
        state: dict[str, Any] = json.loads((home / UI_STATE_FILE).read_text())
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


def interrupt_on_signals() -> None:
    """Ctrl-C and SIGTERM both raise KeyboardInterrupt, so the clean-up in ``finally`` runs (also
    when started from a place where SIGINT is ignored, as background jobs of a shell are)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupt)
