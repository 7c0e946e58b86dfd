"""``make airflow`` for real: ``titlevideo.cli airflow`` starts the emulators and ``airflow
standalone`` in a private home on free ports; through the REST API v2 (a JWT from ``/auth/token``
with the login the CLI printed) the five DAGs are listed without import errors, one is unpaused
and a triggered run completes and writes its partition; Ctrl-C (SIGTERM) stops every process.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import requests

from emulators.catalog import World
from tests.e2e._airflow import ROOT, cli_command, cli_env, free_port, stop_all, tail

pytestmark = pytest.mark.e2e

WORKS = 150
SEED = 42
DAGS = [
    "bytenite_extract",
    "bytenite_sync",
    "consonance_extract",
    "consonance_sync",
    "warehouse_build",
]


def _wait_for(what: str, check, timeout: float, proc: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"the CLI exited ({proc.returncode}) while waiting for {what}:\n{tail(log)}"
            )
        got = check()
        if got:
            return got
        time.sleep(1)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}:\n{tail(log)}")


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("standalone")
    home, lake = tmp / "airflow", tmp / "lake"
    env = cli_env(home, lake)
    port, c_port, b_port = free_port(), free_port(), free_port()
    out = tmp / "cli.out"
    started = time.monotonic()
    with open(out, "wb") as fh:
        proc = subprocess.Popen(
            cli_command(
                "airflow",
                "--port",
                str(port),
                "--works",
                str(WORKS),
                "--seed",
                str(SEED),
                "--consonance-port",
                str(c_port),
                "--bytenite-port",
                str(b_port),
            ),
            env=env,
            cwd=ROOT,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    info = {"home": home, "lake": lake, "port": port, "c_port": c_port, "out": out, "proc": proc}
    try:
        _wait_for(
            "the ready banner",
            lambda: "Airflow is ready at" in out.read_text(errors="replace"),
            420,
            proc,
            out,
        )
        info["startup_seconds"] = time.monotonic() - started
        yield info
    finally:
        proc.send_signal(signal.SIGTERM)  # what Ctrl-C does
        try:
            info["exit_code"] = proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            info["exit_code"] = None
        left = stop_all(home, env)
        assert info["exit_code"] == 0, f"the CLI did not stop cleanly:\n{tail(out)}"
        assert not left, f"processes left running after Ctrl-C: {left}"
        assert not (home / "airflow-ui.json").exists()


@pytest.fixture(scope="module")
def api(ui):
    banner = ui["out"].read_text()
    m = re.search(r"log in\s+user '(\w+)', password '([^']+)'", banner)
    assert m, banner
    user, password = m.groups()
    # the printed password is the one the simple auth manager keeps
    stored = json.loads((ui["home"] / "simple_auth_manager_passwords.json.generated").read_text())
    assert stored == {user: password}
    assert f"http://localhost:{ui['port']}" in banner
    base = f"http://localhost:{ui['port']}"
    r = requests.post(
        f"{base}/auth/token", json={"username": user, "password": password}, timeout=30
    )
    assert r.status_code in (200, 201), r.text
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    session.base = f"{base}/api/v2"  # type: ignore[attr-defined]
    # a wrong password is refused
    bad = requests.post(f"{base}/auth/token", json={"username": user, "password": "x"}, timeout=30)
    assert bad.status_code == 401
    return session


def test_the_five_dags_are_listed_without_import_errors(ui, api):
    r = api.get(f"{api.base}/importErrors", timeout=30)
    assert r.status_code == 200 and r.json() == {"import_errors": [], "total_entries": 0}
    dags = api.get(f"{api.base}/dags", params={"limit": 100}, timeout=30).json()
    assert sorted(d["dag_id"] for d in dags["dags"]) == DAGS
    # no example DAGs, and every DAG starts paused
    assert dags["total_entries"] == 5
    assert all(d["is_paused"] for d in dags["dags"])
    health = api.get(f"{api.base}/monitor/health", timeout=30).json()
    for component in ("metadatabase", "scheduler", "dag_processor", "triggerer"):
        assert health[component]["status"] == "healthy", health
    pool = api.get(f"{api.base}/pools/duckdb_writer", timeout=30).json()
    assert pool["slots"] == 1


def test_a_triggered_run_completes(ui, api):
    today = date.fromisoformat(
        requests.get(f"http://127.0.0.1:{ui['c_port']}/_emulator/health", timeout=10).json()[
            "today"
        ]
    )
    # two days back: unpausing also starts the scheduled run of yesterday, which must not write
    # the same partition
    day = today - timedelta(days=2)
    r = api.patch(f"{api.base}/dags/consonance_extract", json={"is_paused": False}, timeout=30)
    assert r.status_code == 200 and r.json()["is_paused"] is False
    r = api.post(
        f"{api.base}/dags/consonance_extract/dagRuns",
        json={"logical_date": None, "conf": {"date": day.isoformat(), "full_refresh": True}},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    run_id = r.json()["dag_run_id"]
    started = time.monotonic()

    def finished():
        run = api.get(f"{api.base}/dags/consonance_extract/dagRuns/{run_id}", timeout=30).json()
        return run["state"] if run["state"] in ("success", "failed") else None

    state = _wait_for("the triggered run", finished, 240, ui["proc"], ui["out"])
    ui["run_seconds"] = time.monotonic() - started
    assert state == "success", tail(ui["home"] / "standalone.log")
    tis = api.get(
        f"{api.base}/dags/consonance_extract/dagRuns/{run_id}/taskInstances", timeout=30
    ).json()
    # the preflight check task runs first, then the extraction
    assert sorted((t["task_id"], t["state"]) for t in tis["task_instances"]) == [
        ("check", "success"),
        ("extract", "success"),
    ]

    # a full extraction: every work that exists in the emulated world today
    expected = World(SEED, WORKS).works_created_by(today)
    works = ui["lake"] / "raw" / "consonance" / "works" / f"extracted_on={day}" / "data.parquet"
    assert pq.read_metadata(works).num_rows == expected
    report = json.loads(
        (ui["lake"] / "reports" / "runs" / day.isoformat() / "consonance_extract.json").read_text()
    )
    assert report["data"]["mode"] == "full"
    assert report["data"]["entities"]["works"]["written"] == expected
