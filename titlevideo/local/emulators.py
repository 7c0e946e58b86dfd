"""Both emulators as background processes that outlive the command that started them.

They keep running after ``make run`` ends, so the emulated systems remember the writes of the
previous run (as the real ones would); ``make stop`` stops them. Each is found again by its
``/_emulator/health`` answer (seed, works, emulated today) and the pid file in ``run_dir``.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from titlevideo.config import PROJECT_ROOT
from titlevideo.local import say


@dataclass(frozen=True)
class EmulatorSpec:
    module: str
    port: int
    #: the environment variable of the Airflow connection that points at it
    conn: str
    #: the emulators run on this machine: the reverse-ETL may write faster than the business
    #: rules' defaults for a real deployment (ByteNite's emulator allows 50 requests/s)
    writes_per_second: float = 40.0


EMULATORS = {
    "consonance": EmulatorSpec("emulators.consonance", 8081, "AIRFLOW_CONN_CONSONANCE_DEFAULT"),
    "bytenite": EmulatorSpec("emulators.bytenite", 8082, "AIRFLOW_CONN_BYTENITE_DEFAULT"),
}


def health(port: int) -> dict[str, Any] | None:
    """The emulator's health answer on ``port`` (None: nothing answers there)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health", timeout=2) as r:
            answer: dict[str, Any] = json.loads(r.read())
            return answer
    except (OSError, ValueError, urllib.error.URLError):
        return None


def default_key(name: str) -> str:
    """The API key the emulator ``name`` accepts by default."""
    key: str = importlib.import_module(EMULATORS[name].module).DEFAULT_API_KEY
    return key


def start_emulators(
    seed: int, works: int, run_dir: Path, ports: dict[str, int] | None = None
) -> dict[str, str]:
    """Start both emulators in the background (or reuse matching ones); return their base URLs.

    ``ports`` overrides the default ports (8081, 8082) per emulator.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    urls = {}
    for name, spec in EMULATORS.items():
        port = (ports or {}).get(name) or spec.port
        found = health(port)
        if found and (found.get("seed"), found.get("works")) == (seed, works):
            say(
                f"  {name} emulator already running on :{port} (seed {seed}, {works} works, today {found['today']})"
            )
        else:
            if found:
                say(
                    f"  {name} emulator on :{port} has another world (seed {found.get('seed')}, "
                    f"{found.get('works')} works); restarting it"
                )
                stop_emulators(run_dir, only=name)
                if health(port) is not None:
                    raise SystemExit(
                        f"port {port} is held by a {name} emulator this Airflow home did not start; "
                        f"stop it, or pick other ports (--{name}-port)"
                    )
            _start(name, spec, port, seed, works, run_dir)
        urls[name] = f"http://127.0.0.1:{port}"
    return urls


def _start(name: str, spec: EmulatorSpec, port: int, seed: int, works: int, run_dir: Path) -> None:
    log = open(run_dir / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            spec.module,
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
    while health(port) is None:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the {name} emulator did not start; see {run_dir / f'{name}.log'}")
        time.sleep(0.2)
    say(f"  {name} emulator started on :{port} (pid {proc.pid}; log {run_dir / f'{name}.log'})")


def stop_emulators(run_dir: Path, only: str | None = None) -> None:
    for name, spec in EMULATORS.items():
        if only and name != only:
            continue
        pid_file = run_dir / f"{name}.pid"
        port_file = run_dir / f"{name}.port"
        try:
            port = int(port_file.read_text())
        except (FileNotFoundError, ValueError):
            port = spec.port
        if pid_file.exists():
            try:
                os.killpg(int(pid_file.read_text()), signal.SIGTERM)
                say(f"  stopped the {name} emulator")
            except (ProcessLookupError, ValueError, PermissionError):
                pass
            pid_file.unlink()
            port_file.unlink(missing_ok=True)
            deadline = time.monotonic() + 10
            while health(port) is not None and time.monotonic() < deadline:
                time.sleep(0.2)


def emulated_today(urls: dict[str, str]) -> date:
    """Today in the emulated world (the Consonance emulator's clock), or in UTC if it is silent."""
    found = health(int(urls["consonance"].rsplit(":", 1)[1])) or {}
    return date.fromisoformat(found.get("today") or datetime.now(UTC).date().isoformat())


def connections_given() -> bool:
    """Both connections exported by the caller: use those systems, start no emulator."""
    return all(os.environ.get(spec.conn) for spec in EMULATORS.values())


def systems(
    seed: int, works: int, run_dir: Path, ports: dict[str, int]
) -> tuple[dict[str, str], date]:
    """The emulators' URLs (started or reused) and the emulated today; with connections given,
    no URLs (``airflow_env`` keeps the caller's connections) and today in UTC."""
    if connections_given():
        say("  using the connections in AIRFLOW_CONN_CONSONANCE_DEFAULT / _BYTENITE_DEFAULT")
        return {}, datetime.now(UTC).date()
    say("Starting the emulators…")
    urls = start_emulators(seed, works, run_dir, ports)
    return urls, emulated_today(urls)
