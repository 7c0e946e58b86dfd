"""``make sql``: DuckDB's shell from the lock (duckdb-cli) opens the warehouse file, written in
the build's storage format, read-only; SQL on stdin runs, a write is refused, and with no
warehouse yet it says what to do."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from titlevideo.warehouse import STORAGE_VERSION

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def _make_sql(lake: Path, sql: str) -> subprocess.CompletedProcess[str]:
    # -o: never rebuild the venv from a test (it is the one running this test)
    return subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "sql"],
        input=sql,
        cwd=ROOT,
        env={**os.environ, "LAKE_ROOT": str(lake)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    path = tmp_path / "lake" / "warehouse" / "analytics.duckdb"
    path.parent.mkdir(parents=True)
    con = duckdb.connect()
    con.execute(f"attach '{path}' as wh (storage_version '{STORAGE_VERSION}')")
    con.execute("create schema wh.marts")
    con.execute("create table wh.marts.dim_title as select range as work_id from range(1001, 1004)")
    con.close()
    return tmp_path / "lake"


def test_make_sql_reads_the_warehouse(lake):
    proc = _make_sql(
        lake, ".mode csv\nselect count(*) as n, max(work_id) as last from marts.dim_title;\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["n,last", "3,1003"]


def test_make_sql_is_read_only(lake):
    proc = _make_sql(lake, "create table marts.scratch (a int);\n")
    assert proc.returncode != 0
    assert "read-only mode" in proc.stdout + proc.stderr


def test_make_sql_without_a_warehouse_says_what_to_do(tmp_path):
    proc = _make_sql(tmp_path / "empty", "select 1;\n")
    assert proc.returncode != 0
    assert "no warehouse at" in proc.stderr and "make run" in proc.stderr
