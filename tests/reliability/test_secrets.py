"""Secrets: after a full daily cycle through ``airflow dags test`` no API key or ByteNite access
token appears anywhere the run left data.

The emulators accept only two random keys made for this test; the tokens are the ones the
ByteNite emulator issued during the run (read from its state). The search reads what the runs
printed (``airflow dags test`` prints the task logs instead of writing log files), every file
under AIRFLOW_HOME (the metadata DB with XCom, rendered fields and serialized DAGs, any logs)
and the lake (Parquet, the DuckDB warehouse, quarantine, reports, the sync state): the bytes
and, for Parquet, DuckDB and SQLite, the decoded values. The detector is
checked on planted copies first, so a search that cannot find anything fails.
"""

from __future__ import annotations

import secrets
import sqlite3
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.harness import CYCLE, Emulators, Pipeline, secret_hits

pytestmark = pytest.mark.e2e

SEED, WORKS = 9, 120
DAY, TODAY = date(2026, 11, 26), date(2026, 11, 27)


def test_the_detector_finds_a_secret_in_every_format(tmp_path: Path):
    canary = "canary-" + secrets.token_hex(12)
    (tmp_path / "task.log").write_text(f"Authorization: {canary}\n")
    pq.write_table(
        pa.table({"x": [canary * 40] * 200}), tmp_path / "data.parquet", compression="zstd"
    )
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create table t as select ? || i::varchar as v from range(5000) r(i)", [canary])
    con.close()
    lite = sqlite3.connect(tmp_path / "s.sqlite")
    lite.execute("create table t (v blob)")
    lite.execute("insert into t values (?)", (__import__("zlib").compress(canary.encode() * 3),))
    lite.commit()
    lite.close()
    found = {Path(p).name for p, _ in secret_hits([tmp_path], [canary])}
    assert found == {"task.log", "data.parquet", "w.duckdb", "s.sqlite"}
    assert secret_hits([tmp_path], ["not-" + canary]) == []


def test_no_key_or_token_is_left_in_logs_xcom_parquet_duckdb_reports_or_sync_state(
    airflow_db: dict[str, str],
    tmp_path: Path,
):
    keys = {"consonance": "ck-" + secrets.token_hex(16), "bytenite": "bk-" + secrets.token_hex(16)}
    e = Emulators(
        seed=SEED,
        works=WORKS,
        today=TODAY,
        consonance_key=keys["consonance"],
        bytenite_key=keys["bytenite"],
    )
    try:
        pipeline = Pipeline(airflow_db, e, tmp_path / "lake")
        outputs = [pipeline.dags_test(dag_id, DAY) for dag_id in CYCLE]
        tokens = list(e.bytenite_state.tokens)
        # the run really used both systems: it was issued tokens and wrote to both
        assert len(tokens) >= 3  # extraction tasks and the sync each signed in
        assert e.writes("bytenite") and e.writes("consonance")
    finally:
        e.stop()
    secrets_ = [*keys.values(), *tokens, *(t.rsplit(".", 1)[1] for t in tokens)]

    home = Path(airflow_db["AIRFLOW_HOME"])
    lake = tmp_path / "lake"
    # what is searched holds this run's traces: the task logs (``dags test`` prints them), XCom,
    # Parquet, the warehouse, the sync state, reports
    for dag_id, out in zip(CYCLE, outputs, strict=True):
        printed = out.stdout + out.stderr
        assert f"DagRun Finished: dag_id={dag_id}" in printed and "state=success" in printed
    printed = "".join(o.stdout + o.stderr for o in outputs)
    assert "ByteNite token obtained" in printed  # the one log line about a credential
    assert "Consonance extraction for 2026-11-26" in printed
    db = sqlite3.connect(home / "airflow.db")
    try:
        xcoms = db.execute(
            "select count(*) from xcom where dag_id in ({})".format(",".join("?" * len(CYCLE))),
            CYCLE,
        ).fetchone()[0]
    finally:
        db.close()
    assert xcoms >= len(CYCLE)
    assert (
        list(lake.glob("raw/*/*/*/data.parquet")) and (lake / "warehouse/analytics.duckdb").exists()
    )
    assert (lake / "state/sync.sqlite").exists() and list(lake.glob("reports/**/*.json"))

    assert secret_hits([home, lake], secrets_) == []
    assert not any(s in printed for s in secrets_)
