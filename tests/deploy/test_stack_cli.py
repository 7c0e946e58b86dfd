"""`make deploy` and `make deploy-stop` as a user runs them: the stack comes up in the background
with every component, and goes down leaving no process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.stackutil import ROOT
from titlevideo.local.airflow import free_port
from titlevideo.local.deploy import WORKERS, Settings, Stack, check_services, processes_of

pytestmark = pytest.mark.deploy


def _env(backing: dict[str, str], home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_")) and k not in ("AIRFLOW_HOME",)
    }
    env.update(
        {
            "DEPLOY_HOME": str(home),
            "DEPLOY_PORT": str(free_port()),
            "DEPLOY_CONSONANCE_PORT": str(free_port()),
            "DEPLOY_BYTENITE_PORT": str(free_port()),
            "TITLEVIDEO_POSTGRES_URL": backing["postgres_url"],
            "TITLEVIDEO_AIRFLOW_DB": backing["database"],
            "TITLEVIDEO_REDIS_URL": backing["redis_url"],
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _deploy(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "titlevideo.local.deploy", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_make_deploy_brings_up_every_component_and_deploy_stop_leaves_no_process(
    backing: dict[str, str], tmp_path: Path
) -> None:
    home = tmp_path / "stack"
    env = _env(backing, home)
    try:
        up = _deploy("up", "--works", "60", env=env)
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        assert "The stack is up" in up.stdout
        stack = Stack(Settings.from_env(env))
        # every component of docker-compose.yaml, two workers of them, all answering
        assert set(stack.running()) == {
            "api-server",
            "scheduler",
            "dag-processor",
            "triggerer",
            *WORKERS,
        }
        assert stack.workers_answering() == list(WORKERS)
        api = stack.api()
        health = api.health()
        for component in ("metadatabase", "scheduler", "triggerer", "dag_processor"):
            assert health[component]["status"] == "healthy", (component, health)
        assert api.call("GET", "pools/duckdb_writer")["slots"] == 1
        assert {d["dag_id"] for d in api.call("GET", "dags")["dags"]} == {
            "consonance_extract",
            "bytenite_extract",
            "warehouse_build",
            "bytenite_sync",
            "consonance_sync",
        }
        # both emulators of the stack answer on their ports
        for port in (env["DEPLOY_CONSONANCE_PORT"], env["DEPLOY_BYTENITE_PORT"]):
            with socket.create_connection(("127.0.0.1", int(port)), timeout=5):
                pass
        # a second `make deploy` refuses instead of starting a second stack
        again = _deploy("up", env=env)
        assert again.returncode != 0
        assert "already running" in again.stderr
    finally:
        down = _deploy("down", env=env)
    assert down.returncode == 0, down.stdout + down.stderr
    assert "no process of it is left" in down.stdout
    assert processes_of(home) == []
    for port in (env["DEPLOY_PORT"], env["DEPLOY_CONSONANCE_PORT"], env["DEPLOY_BYTENITE_PORT"]):
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", int(port))) != 0, port


def test_only_the_missing_service_is_named(backing: dict[str, str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    settings = Settings.from_env(
        {
            "TITLEVIDEO_POSTGRES_URL": backing["postgres_url"],
            "TITLEVIDEO_REDIS_URL": f"redis://127.0.0.1:{closed}/0",
        }
    )
    with pytest.raises(SystemExit) as exc:
        check_services(settings)
    assert "PostgreSQL" not in str(exc.value)
    assert f"Redis is not reachable at redis://127.0.0.1:{closed}/0" in str(exc.value)
