"""Fixtures of the end-to-end tier (the harness itself is tests/harness.py)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness import AIRFLOW, Emulators


@pytest.fixture(scope="session")
def airflow_db() -> dict[str, str]:
    """A migrated SQLite metadata DB in the session's AIRFLOW_HOME, with the warehouse pool."""
    env = dict(os.environ)
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    for args in (["db", "migrate"], ["pools", "set", "duckdb_writer", "1", "single writer"]):
        proc = subprocess.run(
            [AIRFLOW, *args], env=env, capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return env


@pytest.fixture
def make_emulators() -> Iterator[Any]:
    started: list[Emulators] = []

    def make(**kw: Any) -> Emulators:
        e = Emulators(**kw)
        started.append(e)
        return e

    yield make
    for e in started:
        e.stop()
