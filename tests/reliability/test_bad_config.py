"""Bad configuration: one clear message that names what to fix, through the real task code.

Each case sets the Airflow connection environment (``AIRFLOW_CONN_*``, resolved by the HTTP
provider's hook as in a task) or the business-rules file, and calls the task function a DAG
calls. Configuration that no retry can cure fails the task at once (``AirflowFailException``:
no retries); an API that cannot be reached is an ordinary error, retried by Airflow, since the
service may come back. One case runs through ``airflow dags test`` to show the same message in
Airflow's own output and the task failed without a retry.
"""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from emulators.bytenite import DEFAULT_API_KEY as BYTENITE_KEY
from emulators.consonance import DEFAULT_API_KEY as CONSONANCE_KEY
from tests.harness import AIRFLOW, ROOT, Emulators
from titlevideo.config import load_rules
from titlevideo.connections import connection_json
from titlevideo.extract import task as tasks
from titlevideo.transport import ApiError
from titlevideo.warehouse.task import build_task

pytestmark = pytest.mark.integration

DAY, TODAY = date(2026, 11, 26), date(2026, 11, 27)
CONTEXT = {"params": {"date": DAY.isoformat()}}
QUICK = {"max_attempts": 2, "base_delay": 0.01, "max_delay": 0.05}
C_CONN, B_CONN = "AIRFLOW_CONN_CONSONANCE_DEFAULT", "AIRFLOW_CONN_BYTENITE_DEFAULT"
C_EXAMPLE = '{"conn_type": "http", "host": "https://web.consonance.app", "password": "<api key>"}'
B_EXAMPLE = '{"conn_type": "http", "host": "https://api.bytenite.com", "password": "<api key>"}'


@pytest.fixture(scope="module")
def world():
    e = Emulators(seed=5, works=40, today=TODAY)
    yield e
    e.stop()


@pytest.fixture
def env(monkeypatch, tmp_path, world):
    """Both connections right, a private lake; each case breaks one thing."""
    monkeypatch.setenv("LAKE_ROOT", str(tmp_path / "lake"))
    for name, value in world.connection_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TITLEVIDEO_RULES", raising=False)
    load_rules.cache_clear()
    yield monkeypatch
    load_rules.cache_clear()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fails(task: Callable[[dict[str, Any]], Any]) -> BaseException:
    with pytest.raises(Exception) as raised:
        task(CONTEXT)
    return raised.value


def test_missing_connections(env):
    env.delenv(C_CONN)
    err = _fails(tasks.consonance_extract)
    assert type(err) is AirflowFailException
    assert str(err) == (
        f"Airflow connection 'consonance_default' is not defined: set {C_CONN}='{C_EXAMPLE}'"
    )
    env.delenv(B_CONN)
    err = _fails(tasks.bytenite_snapshot)
    assert type(err) is AirflowFailException
    assert str(err) == (
        f"Airflow connection 'bytenite_default' is not defined: set {B_CONN}='{B_EXAMPLE}'"
    )


def test_malformed_connection_json(env):
    env.setenv(C_CONN, '{"conn_type": "http", "host": ')
    err = _fails(tasks.consonance_extract)
    assert type(err) is AirflowFailException
    assert str(err) == (
        f"{C_CONN} is not valid JSON (Expecting value at character 30): set {C_CONN}='{C_EXAMPLE}'"
    )


def test_connection_without_a_key_or_with_a_bad_host_or_extra(env, world):
    env.setenv(B_CONN, json.dumps({"conn_type": "http", "host": world.bytenite.url}))
    err = _fails(tasks.bytenite_metrics)
    assert type(err) is AirflowFailException
    assert str(err) == (
        f"connection 'bytenite_default' has no password (the API key) (set {B_CONN}='{B_EXAMPLE}')"
    )
    env.setenv(C_CONN, connection_json("ftp://files.publisher.example", "k"))
    err = _fails(tasks.consonance_extract)
    assert type(err) is AirflowFailException
    assert str(err) == (
        "connection 'consonance_default': host 'ftp://files.publisher.example' must be a base "
        "URL with its scheme, e.g. https://host[:port]"
    )
    env.setenv(C_CONN, connection_json(world.consonance.url, CONSONANCE_KEY, max_attempts=0))
    err = _fails(tasks.consonance_extract)
    assert type(err) is AirflowFailException
    assert str(err) == (
        "connection 'consonance_default': bad extra: connection extra: max_attempts must be >= 1 "
        "and timeouts > 0"
    )


def test_wrong_keys(env, world):
    env.setenv(C_CONN, connection_json(world.consonance.url, "not-the-key"))
    err = _fails(tasks.consonance_extract)
    assert type(err) is AirflowFailException
    assert str(err) == (
        "Consonance POST /graphql (ExtractWorks) failed with HTTP 401: Invalid API key "
        "(check the API key, the password of Airflow connection 'consonance_default')"
    )
    env.setenv(B_CONN, connection_json(world.bytenite.url, "not-the-key"))
    err = _fails(tasks.bytenite_snapshot)
    assert type(err) is AirflowFailException
    assert str(err) == (
        "ByteNite POST /v1/auth/access_token failed with HTTP 401: invalid api key "
        "(check the API key, the password of Airflow connection 'bytenite_default')"
    )
    assert "not-the-key" not in str(err)


def test_wrong_hosts(env, world):
    # each connection pointing at the other system: a server, but not this API
    env.setenv(C_CONN, connection_json(world.bytenite.url, CONSONANCE_KEY, **QUICK))
    err = _fails(tasks.consonance_extract)
    assert type(err) is AirflowFailException
    assert str(err) == (
        "Consonance POST /graphql (ExtractWorks) failed with HTTP 404: "
        f"{world.bytenite.url} has no Consonance GraphQL API (Not Found); "
        "check the host of Airflow connection 'consonance_default'"
    )
    env.setenv(B_CONN, connection_json(world.consonance.url, BYTENITE_KEY, **QUICK))
    err = _fails(tasks.bytenite_snapshot)
    assert type(err) is AirflowFailException
    assert str(err) == (
        "ByteNite POST /v1/auth/access_token failed with HTTP 404: "
        f"{world.consonance.url} has no ByteNite auth API (Not Found); "
        "check the host of Airflow connection 'bytenite_default'"
    )
    # a host name that does not exist (.invalid never resolves, RFC 2606)
    env.setenv(C_CONN, connection_json("https://consonance.invalid", CONSONANCE_KEY, **QUICK))
    err = _fails(tasks.consonance_extract)
    assert type(err) is ApiError  # retried by Airflow: a DNS outage looks the same
    assert str(err) == (
        "Consonance POST /graphql (ExtractWorks) failed: cannot reach https://consonance.invalid "
        "(the host name does not resolve) after 2 attempts: check that the service is up and "
        "the host of Airflow connection 'consonance_default'"
    )


def test_unreachable_apis(env):
    port = _closed_port()
    env.setenv(B_CONN, connection_json(f"http://127.0.0.1:{port}", BYTENITE_KEY, **QUICK))
    err = _fails(tasks.bytenite_snapshot)
    assert type(err) is ApiError  # retried by Airflow: the service may come back
    assert str(err) == (
        "ByteNite POST /v1/auth/access_token failed: cannot reach "
        f"http://127.0.0.1:{port} (connection refused) after 2 attempts: check that the service "
        "is up and the host of Airflow connection 'bytenite_default'"
    )
    env.setenv(C_CONN, connection_json(f"http://127.0.0.1:{port}", CONSONANCE_KEY, **QUICK))
    err = _fails(tasks.consonance_extract)
    assert type(err) is ApiError
    assert str(err).startswith(
        f"Consonance POST /graphql (ExtractWorks) failed: cannot reach http://127.0.0.1:{port} "
        "(connection refused)"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "deliverables:\n  by_tier:\n    Lead: [TRAILER, HOLOGRAM]\n",
            "{file}: deliverables.by_tier.Lead: unknown deliverable type(s) ['HOLOGRAM']; known: "
            "TRAILER, AUTHOR_INTERVIEW, TEASER, SOCIAL_CUTDOWN, AUDIOBOOK_SAMPLE, "
            "NARRATED_EXCERPT, EVENT_RECORDING, BEHIND_THE_SCENES",
        ),
        (
            "web_link_roles:\n  TRAILER: trailer\n",
            "{file}: web_link_roles.TRAILER: 'trailer' is not a two-digit ONIX list 73 code",
        ),
        (
            "windows:\n  pre_order_days: 90\n  launch_windw: [-28, 56]\n",
            "{file}: business rules: unknown key(s) ['launch_windw'] in windows; known: "
            "['pre_order_days', 'launch_window', 'placements']",
        ),
        ("channels: [oops\n", "business rules file {file} is not valid YAML: "),
        (
            None,
            "business rules file {file} does not exist (set TITLEVIDEO_RULES or restore the default)",
        ),
    ],
    ids=["unknown deliverable", "bad role code", "misspelt key", "not YAML", "missing file"],
)
def test_bad_business_rules_stop_the_build_with_one_message(
    env, tmp_path: Path, content: str | None, message: str
):
    rules = tmp_path / "rules.yaml"
    if content is not None:
        rules.write_text(content)
    env.setenv("TITLEVIDEO_RULES", str(rules))
    err = _fails(build_task)
    assert type(err) is AirflowFailException
    expected = message.format(file=rules)
    if expected.endswith(": "):  # the YAML parser's own explanation follows
        assert str(err).startswith(expected) and "line 1" in str(err)
    else:
        assert str(err) == expected
    assert not (tmp_path / "lake/warehouse/analytics.duckdb").exists()


def test_a_wrong_key_through_airflow_fails_the_task_once_with_the_message(
    airflow_db: dict[str, str], world, tmp_path: Path
):
    env = {
        **airflow_db,
        **world.connection_env(),
        C_CONN: connection_json(world.consonance.url, "not-the-key"),
        "LAKE_ROOT": str(tmp_path / "lake"),
    }
    proc = subprocess.run(
        [
            AIRFLOW,
            "dags",
            "test",
            "consonance_extract",
            DAY.isoformat(),
            "--conf",
            json.dumps({"date": DAY.isoformat()}),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = proc.stdout + proc.stderr
    # the DAG's first task, the preflight check, meets the wrong key: it fails once with the
    # message naming the connection, and the extraction never starts
    message = (
        "Consonance POST /graphql (Preflight) failed with HTTP 401: Invalid API key "
        "(check the API key, the password of Airflow connection 'consonance_default')"
    )
    assert proc.returncode != 0
    assert out.count("AirflowFailException: Preflight FAILED") == 1
    assert f"[FAIL] authentication: {message}" in out
    assert "starting task_id=check" in out and "starting task_id=extract" not in out
    assert "new_state=failed" in out and "up_for_retry" not in out
    assert "not-the-key" not in out
