"""`make db-clean`: Airflow's metadata retention (``airflow db clean``) with the deployment's
retention, on a real metadata database (SQLite here; the command is Airflow's own for both)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.harness import AIRFLOW, ROOT
from titlevideo.local import dbclean
from titlevideo.local.deploy import read_env_file

pytestmark = pytest.mark.e2e

TINY = """
from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("tiny", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    EmptyOperator(task_id="a") >> EmptyOperator(task_id="b")
"""
TINY_ROWS = "dag_id = 'tiny'"


@pytest.fixture(scope="module")
def home(airflow_db: dict[str, str], tmp_path_factory) -> dict[str, Any]:
    """A copy of the session's migrated database with a run of a two-task DAG.

    The session's database is shared: in a full run other e2e tests have already run their DAGs
    in it, so the copy holds their history too. The assertions look at the tiny DAG's rows."""
    base = tmp_path_factory.mktemp("dbclean")
    (base / "dags").mkdir()
    (base / "dags" / "tiny.py").write_text(TINY)
    db = base / "airflow.db"
    shutil.copyfile(Path(airflow_db["AIRFLOW_HOME"]) / "airflow.db", db)
    env = {
        **airflow_db,
        "AIRFLOW_HOME": str(base),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{db}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(base / "dags"),
    }
    # `dags test` starts its run at the logical date: a run that started two days ago
    day = datetime.now(UTC).date() - timedelta(days=2)
    proc = subprocess.run(
        [AIRFLOW, "dags", "test", "tiny", day.isoformat()],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"env": env, "db": db}


def _count(db: Path, table: str, where: str = "1 = 1") -> int:
    con = sqlite3.connect(db)
    try:
        return int(con.execute(f"select count(*) from {table} where {where}").fetchone()[0])
    finally:
        con.close()


def _ids(db: Path, table: str) -> set[Any]:
    """The ids of the tiny DAG's rows (the copied session database may hold other DAGs')."""
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute(f"select id from {table} where dag_id = 'tiny'")}
    finally:
        con.close()


def _tables(db: Path) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("select name from sqlite_master where type = 'table'")}
    finally:
        con.close()


def test_the_retention_is_the_shared_deploy_settings_and_checked() -> None:
    assert read_env_file()[dbclean.RETENTION_SETTING] == "90"
    assert dbclean.retention_days({}) == 90
    assert dbclean.retention_days({dbclean.RETENTION_SETTING: "7"}) == 7
    for bad, says in (("abc", "expected a whole number of days"), ("0", "at least 1 day")):
        with pytest.raises(SystemExit, match=says):
            dbclean.retention_days({dbclean.RETENTION_SETTING: bad})


def test_history_inside_the_retention_is_kept(home: dict[str, Any]) -> None:
    db = home["db"]
    before = {t: _ids(db, t) for t in ("dag_run", "task_instance", "log")}
    assert len(before["dag_run"]) == 1 and len(before["task_instance"]) == 2
    proc = subprocess.run(
        [sys.executable, "-m", "titlevideo.local.dbclean"],
        env={**home["env"], "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "keeping 90 days" in proc.stdout
    after = {t: _ids(db, t) for t in before}
    assert after["dag_run"] == before["dag_run"]
    assert after["task_instance"] == before["task_instance"]
    assert before["log"] <= after["log"]  # the command logs its own run


def test_history_older_than_the_retention_is_purged_without_an_archive(
    home: dict[str, Any],
) -> None:
    """The command with a one-day retention, as if run four days later: the runs' rows are
    gone (task instances and their log lines with them), and nothing was archived."""
    db = home["db"]
    assert _count(db, "log", TINY_ROWS) > 0
    later = datetime.now(UTC) + timedelta(days=4)
    argv = dbclean.command(1, now=later)
    assert argv[argv.index("--clean-before-timestamp") + 1] == (
        (later - timedelta(days=1)).isoformat(timespec="seconds")
    )
    proc = subprocess.run(argv, env=home["env"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # Airflow keeps the latest scheduled run of a DAG; these were manual runs (dags test)
    assert _count(db, "dag_run", TINY_ROWS) == 0
    assert _count(db, "task_instance", TINY_ROWS) == 0
    assert _count(db, "log", TINY_ROWS) == 0
    assert not {t for t in _tables(db) if t.startswith("_airflow_deleted__")}
