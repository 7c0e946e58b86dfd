"""The stack of ``make deploy`` (:class:`Stack`: up, down, status, login) and what its scheduler
did, read through the REST API.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import time
from typing import Any, cast

from titlevideo import DAG_IDS
from titlevideo.local import say
from titlevideo.local.airflow import free_port, group_members, port_in_use
from titlevideo.local.api import AirflowApi
from titlevideo.local.deploy.processes import (
    alive,
    descendants,
    descendants_of,
    processes_of,
    reap,
    run_airflow,
    spawn,
    stop_group,
)
from titlevideo.local.deploy.services import check_services, ensure_database
from titlevideo.local.deploy.settings import (
    POOL,
    STATE_FILE,
    WORKERS,
    Settings,
    component_commands,
    component_env,
    stack_settings,
)
from titlevideo.local.emulators import EMULATORS, default_key, start_emulators, stop_emulators


class Stack:
    """One local stack: its settings, its processes (recorded in ``<home>/deploy/deploy.json``)."""

    def __init__(self, settings: Settings):
        self.s = settings
        self.state_file = settings.run_dir / STATE_FILE
        #: the environment every component got (kept in memory only: it holds the API keys)
        self._base: dict[str, str] | None = None

    # -- state --------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        try:
            return cast("dict[str, Any]", json.loads(self.state_file.read_text()))
        except (FileNotFoundError, ValueError):
            return {}

    def _save(self, state: dict[str, Any]) -> None:
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.state_file)

    def running(self) -> dict[str, int]:
        """Components whose process group is alive: name -> pid."""
        return {
            name: c["pid"]
            for name, c in self.state().get("components", {}).items()
            if group_members(c["pid"])
        }

    def login(self) -> tuple[str, str]:
        user = os.environ.get("_AIRFLOW_WWW_USER_USERNAME") or "airflow"
        file = self.s.home / "simple_auth_manager_passwords.json.generated"
        try:
            passwords = json.loads(file.read_text() or "{}")
        except (FileNotFoundError, ValueError):
            passwords = {}
        wanted = os.environ.get("_AIRFLOW_WWW_USER_PASSWORD") or passwords.get(user)
        if not wanted:
            wanted = secrets.token_urlsafe(12)
        if passwords.get(user) != wanted:
            passwords[user] = wanted
            file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(json.dumps(passwords) + "\n")
        return user, wanted

    def api(self) -> AirflowApi:
        user, password = self.login()
        return AirflowApi(self.s.api_url, user, password)

    # -- up -----------------------------------------------------------------------------------
    def up(self, *, wait: float = 600) -> dict[str, Any]:
        s = self.s
        if self.running():
            raise SystemExit(
                f"the stack of {s.home} is already running ({', '.join(self.running())}); "
                "`make deploy-stop` stops it"
            )
        for port, what in ((s.port, "DEPLOY_PORT"),):
            if port_in_use(port):
                raise SystemExit(f"port {port} is in use; pick another with {what}=<port>")
        check_services(s)
        s.home.mkdir(parents=True, exist_ok=True)
        s.run_dir.mkdir(parents=True, exist_ok=True)
        s.lake.mkdir(parents=True, exist_ok=True)
        log = s.run_dir / "setup.log"
        if ensure_database(s):
            say(f"  created the PostgreSQL database {s.database}")
        connections = self._systems()
        ports = {"scheduler_health": free_port(), "triggerer_log": free_port()}
        for name in WORKERS:
            ports[f"{name}_log"] = free_port()
        base = self._base = stack_settings(s, connections, ports)
        setup_env = component_env(base, "setup", ports)
        say("  airflow db migrate …")
        run_airflow(["db", "migrate"], setup_env, log, "airflow db migrate")
        run_airflow(["pools", "set", *POOL], setup_env, log, "creating the duckdb_writer pool")
        self.login()
        state: dict[str, Any] = {"ports": ports, "api_url": s.api_url, "components": {}}
        try:
            for name, argv in component_commands().items():
                pid = spawn(name, argv, component_env(base, name, ports), s.run_dir / f"{name}.log")
                state["components"][name] = {"pid": pid, "argv": argv}
                self._save(state)
            self.wait_ready(timeout=wait)
        except BaseException:
            self.down(quiet=True)
            raise
        return state

    def _systems(self) -> dict[str, str]:
        """Connections: the caller's two AIRFLOW_CONN_* variables, or this stack's emulators."""
        from titlevideo.connections import connection_json

        if self.s.connections is not None:
            return dict(self.s.connections)
        given = {spec.conn: os.environ.get(spec.conn) for spec in EMULATORS.values()}
        if all(given.values()):
            say("  using the connections in AIRFLOW_CONN_CONSONANCE_DEFAULT / _BYTENITE_DEFAULT")
            return {k: v for k, v in given.items() if v}
        urls = start_emulators(
            self.s.seed,
            self.s.works,
            self.s.run_dir / "emulators",
            {"consonance": self.s.consonance_port, "bytenite": self.s.bytenite_port},
        )
        return {
            spec.conn: connection_json(
                urls[name], default_key(name), writes_per_second=spec.writes_per_second
            )
            for name, spec in EMULATORS.items()
        }

    def wait_ready(self, timeout: float = 600) -> None:
        """Until every component heartbeats, both workers answer the broker and the DAGs are
        parsed with no import error."""
        api = self.api()
        deadline = time.monotonic() + timeout
        while True:
            dead = [n for n, c in self.state()["components"].items() if not group_members(c["pid"])]
            if dead:
                raise SystemExit(self._died(dead[0], "exited during start-up"))
            health = api.health() or {}
            healthy = all(
                (health.get(c) or {}).get("status") == "healthy"
                for c in ("metadatabase", "scheduler", "triggerer", "dag_processor")
            )
            if (
                healthy
                and set(self.workers_answering()) >= set(WORKERS)
                and api.dags_ready(DAG_IDS)
            ):
                return
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"the stack was not ready after {timeout:.0f}s; logs in {self.s.run_dir}"
                )
            time.sleep(2)

    def workers_answering(self) -> list[str]:
        """Celery workers answering a ping over the broker (``worker-1``, …)."""
        from celery import Celery

        app = Celery(broker=self.s.redis_url)
        try:
            replies = app.control.ping(timeout=1.0) or []
        except Exception:  # broker not answering: none answer
            return []
        finally:
            app.close()
        return sorted({name.split("@", 1)[0] for reply in replies for name in reply})

    def _died(self, name: str, what: str) -> str:
        log = self.s.run_dir / f"{name}.log"
        tail = log.read_text(errors="replace").splitlines()[-30:] if log.exists() else []
        return f"{name} {what}; last lines of {log}:\n" + "\n".join(tail)

    # -- down ---------------------------------------------------------------------------------
    def down(self, *, quiet: bool = False) -> list[tuple[int, str]]:
        """Stop every component (scheduler first, so nothing new starts), then the emulators;
        return the processes still alive afterwards (none, normally)."""
        components = self.state().get("components", {})
        order = ["scheduler", "dag-processor", "triggerer", *WORKERS, "api-server"]
        for name in sorted(components, key=lambda n: order.index(n) if n in order else 99):
            pid = components[name]["pid"]
            if group_members(pid):
                stop_group(pid, signal.SIGTERM, grace=30)
                if not quiet:
                    say(f"  stopped {name}")
        stop_emulators(self.s.run_dir / "emulators")
        # anything else that ran with this home (a task a killed worker left behind)
        left = processes_of(self.s.home)
        for pid, _ in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while processes_of(self.s.home) and time.monotonic() < deadline:
            reap([pid for pid, _ in left])
            time.sleep(0.2)
        with contextlib.suppress(FileNotFoundError):
            self.state_file.unlink()
        return processes_of(self.s.home)

    # -- one worker ---------------------------------------------------------------------------
    def kill_worker(self, name: str) -> list[int]:
        """SIGKILL a whole worker, as a lost host: its Celery processes and every process under
        them (Airflow runs each task in a process group of its own, which a ``killpg`` of the
        worker would miss). Returns the pids killed."""
        pid = self.state()["components"][name]["pid"]
        killed: set[int] = set()
        for _ in range(5):  # freeze, then kill; again for anything forked meanwhile
            tree = (group_members(pid) | descendants(pid) | descendants_of(killed)) - killed
            if not tree:
                break
            for member in tree:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(member, signal.SIGSTOP)
            for member in tree:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(member, signal.SIGKILL)
            killed |= tree
        deadline = time.monotonic() + 10
        while any(alive(p) for p in killed) and time.monotonic() < deadline:
            reap(killed)
            time.sleep(0.1)
        return sorted(killed)

    def restart(self, name: str, **settings: str) -> None:
        """Stop one component and start it again with some settings changed (``make soak`` moves
        TITLEVIDEO_SCHEDULE_END of the dag-processor one day at a time)."""
        if self._base is None:
            raise RuntimeError("restart needs the Stack object that ran up()")
        state = self.state()
        stop_group(state["components"][name]["pid"], signal.SIGTERM, grace=30)
        self._base.update(settings)
        ports = state["ports"]
        argv = component_commands()[name]
        pid = spawn(
            name, argv, component_env(self._base, name, ports), self.s.run_dir / f"{name}.log"
        )
        state["components"][name] = {"pid": pid, "argv": argv}
        self._save(state)

    def start_worker(self, name: str) -> None:
        """Start a worker again (after :meth:`kill_worker`), as a restarted host would; only from
        the process that started the stack (its environment is not written to disk)."""
        if self._base is None:
            raise RuntimeError("start_worker needs the Stack object that ran up()")
        state = self.state()
        ports = state["ports"]
        argv = component_commands()[name]
        env = component_env(self._base, name, ports)
        pid = spawn(name, argv, env, self.s.run_dir / f"{name}.log")
        state["components"][name] = {"pid": pid, "argv": argv}
        self._save(state)


# ---- what the scheduler did, read through the REST API --------------------------------------

DAGS = DAG_IDS
EXTRACTS = ("consonance_extract", "bytenite_extract")


def runs(api: AirflowApi, dag_id: str) -> list[dict[str, Any]]:
    """Every run of a DAG, oldest first (by the time it was queued)."""
    found: list[dict[str, Any]] = api.every(f"dags/{dag_id}/dagRuns", "dag_runs")
    return sorted(found, key=lambda r: (r.get("queued_at") or "", r["dag_run_id"]))


def task_instances(api: AirflowApi) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.every("dags/~/dagRuns/~/taskInstances", "task_instances")
    return found


def queued_events(api: AirflowApi, dag_id: str) -> list[dict[str, Any]]:
    """Asset events waiting to start a run of ``dag_id``."""
    from titlevideo.transport import ApiError

    try:
        found: list[dict[str, Any]] = api.call("GET", f"dags/{dag_id}/assets/queuedEvents")[
            "queued_events"
        ]
    except ApiError as exc:
        if exc.status == 404:
            return []
        raise
    return found


def quiet(api: AirflowApi, days: int, *, events: bool = True) -> bool:
    """At least ``days`` successful runs of both extract DAGs, no run queued or running, and
    (``events``) no asset event waiting for a run."""
    for dag_id in DAGS:
        found = runs(api, dag_id)
        if any(r["state"] in ("queued", "running") for r in found):
            return False
        if dag_id in EXTRACTS and sum(r["state"] == "success" for r in found) < days:
            return False
        if events and dag_id not in EXTRACTS and queued_events(api, dag_id):
            return False
    return True
