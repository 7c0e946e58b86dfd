"""Running the project's CLI as a user would, in a private Airflow home, lake and ports.

Every process the CLI starts (``airflow standalone`` and its components, the emulators) inherits
``AIRFLOW_HOME``; :func:`processes_of` finds them by it, so a test can prove it left none behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from titlevideo.local.deploy import processes_of  # re-exported for the e2e tests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli_env(home: Path, lake: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in list(env):
        # the suite's own Airflow settings and any developer connection stay out
        if name.startswith(("AIRFLOW_CONN_", "AIRFLOW__")):
            env.pop(name)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "LAKE_ROOT": str(lake),
            "PYTHONUNBUFFERED": "1",
            "NO_COLOR": "1",
        }
    )
    return env


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "titlevideo.cli", *args]


def cli(*args: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli_command(*args),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def stop_all(home: Path, env: dict[str, str], timeout: float = 45) -> list[tuple[int, str]]:
    """Stop the emulators (``cli stop``), wait for every process of ``home`` to end, kill any
    that did not and return them (a test fails on a non-empty answer)."""
    cli("stop", env=env, timeout=60)
    deadline = time.monotonic() + timeout
    while (left := processes_of(home)) and time.monotonic() < deadline:
        time.sleep(0.5)
    for pid, _ in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


def tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return f"({path} does not exist)"
