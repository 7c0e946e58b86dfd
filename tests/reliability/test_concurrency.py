"""Concurrency: both syncs, a warehouse rebuild and an analyst's read-only DuckDB sessions at once.

The two syncs run in their own processes against one sync state (SQLite, WAL) while the
warehouse is rebuilt from the same lake and swapped in, and an analyst keeps querying it: one
session held open throughout and one reconnecting for every query. Nobody may see a lock error;
every answer the analyst gets is the complete warehouse's; and the sync state, both systems and
the write logs end exactly as after the same syncs run one after the other.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from emulators.bytenite import DEFAULT_API_KEY as BYTENITE_KEY
from emulators.consonance import DEFAULT_API_KEY as CONSONANCE_KEY
from tests.harness import (
    DRIVER,
    ROOT,
    Emulators,
    bytenite_state,
    consonance_state,
    copy_lake,
    ok_writes,
    repeated,
    run_step,
    step_env,
    sync_state,
)
from titlevideo.connections import connection_json

# The syncs are slowed to outlast four builds alone, so the test's length scales with how loaded
# the machine is (~12 min at load 18 on 2 cores): a hang guard above the suite-wide 900 s.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

SEED, WORKS = 5, 250
#: the targets of each sync (every one must start and finish in the concurrent run)
BYTENITE_TARGETS = ("jobs", "asset_metadata", "publishing", "placements")
CONSONANCE_TARGETS = ("web_links", "thumbnails", "summaries")
DAY, TODAY = date(2026, 11, 26), date(2026, 11, 27)
QUERY = (
    "select (select count(*) from marts.dim_title), (select count(*) from marts.fct_video_daily), "
    "(select sum(views) from marts.fct_video_daily), "
    "(select count(*) from reverse.rev_consonance__web_links)"
)


REBUILD = """
import sys
from datetime import date
from titlevideo.config import Lake
from titlevideo.warehouse import build_warehouse
build_warehouse(Lake.from_env(), day=date.fromisoformat(sys.argv[1]), full_rebuild=True)
"""


class Analyst(threading.Thread):
    """Queries the warehouse until stopped; keeps every answer and every error."""

    def __init__(self, path: Path, *, reconnect: bool):
        super().__init__(daemon=True)
        self.path, self.reconnect = path, reconnect
        self.answers: list[tuple[Any, ...]] = []
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        con = None
        while not self.stop.is_set():
            try:
                if con is None:
                    con = duckdb.connect(str(self.path), read_only=True)
                self.answers.append(con.execute(QUERY).fetchone())
                if self.reconnect:
                    con.close()
                    con = None
            except Exception as exc:  # any error is a finding
                self.errors.append(f"{type(exc).__name__}: {exc}")
                con = None
            time.sleep(0.02)
        if con is not None:
            con.close()


def _sync_proc(step: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, DRIVER, step, DAY.isoformat(), f"concurrent-{step}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_both_syncs_a_rebuild_and_an_analyst_at_once(tmp_path: Path):
    # the lake and warehouse of the day, built once
    template = tmp_path / "template"
    world = Emulators(seed=SEED, works=WORKS, today=TODAY)
    try:
        env = step_env(world, template)
        for step in ("consonance_extract", "bytenite_snapshot", "bytenite_metrics"):
            run_step(step, DAY, env)
        started = time.monotonic()
        run_step("build", DAY, env)
        build_seconds = time.monotonic() - started
    finally:
        world.stop()

    # reference: the same syncs one after the other
    sequential = Emulators(seed=SEED, works=WORKS, today=TODAY)
    try:
        ref_lake = copy_lake(template, tmp_path / "sequential")
        env = step_env(sequential, ref_lake)
        run_step("bytenite_sync", DAY, env, run_id="seq-b")
        run_step("consonance_sync", DAY, env, run_id="seq-c")
        reference = {
            "state": sync_state(ref_lake),
            "bytenite": bytenite_state(sequential),
            "consonance": consonance_state(sequential),
            "bytenite_writes": ok_writes(sequential, "bytenite"),
            "consonance_writes": ok_writes(sequential, "consonance"),
        }
    finally:
        sequential.stop()
    con = duckdb.connect(str(template / "warehouse/analytics.duckdb"), read_only=True)
    complete = con.execute(QUERY).fetchone()
    con.close()
    assert complete[0] > 200 and complete[1] > 500 and complete[3] > 500

    # everything at once
    concurrent = Emulators(seed=SEED, works=WORKS, today=TODAY)
    try:
        lake = copy_lake(template, tmp_path / "concurrent")
        # the syncs must outlast the rebuild, so that its swap falls inside them however slow this
        # machine is today: the longer sync's writes take four times what a build took alone
        most_writes = max(
            sum(reference[f"{s}_writes"].values()) for s in ("bytenite", "consonance")
        )
        wps = min(40.0, max(1.0, most_writes / (4 * build_seconds)))
        print(f"build alone {build_seconds:.1f} s, {most_writes} writes: {wps:.1f} writes/s")
        env = step_env(
            concurrent,
            lake,
            AIRFLOW_CONN_CONSONANCE_DEFAULT=connection_json(
                concurrent.consonance.url, CONSONANCE_KEY, writes_per_second=wps
            ),
            AIRFLOW_CONN_BYTENITE_DEFAULT=connection_json(
                concurrent.bytenite.url, BYTENITE_KEY, writes_per_second=wps
            ),
        )
        analysts = [
            Analyst(lake / "warehouse/analytics.duckdb", reconnect=False),
            Analyst(lake / "warehouse/analytics.duckdb", reconnect=True),
        ]
        for a in analysts:
            a.start()
        time.sleep(0.5)
        rebuild = subprocess.Popen(
            [sys.executable, "-c", REBUILD, DAY.isoformat()],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs = {step: _sync_proc(step, env) for step in ("bytenite_sync", "consonance_sync")}
        results = {s: (p.wait(600), p.stderr.read()) for s, p in procs.items()}
        rebuilt = (rebuild.wait(600), rebuild.stderr.read())
        swapped_at = datetime.fromtimestamp(
            (lake / "warehouse/analytics.duckdb").stat().st_mtime, UTC
        )
        time.sleep(0.5)
        for a in analysts:
            a.stop.set()
            a.join(30)

        assert rebuilt[0] == 0, rebuilt[1][-3000:]
        for step, (code, err) in results.items():
            assert code == 0, f"{step}:\n{err[-4000:]}"
            assert "locked" not in err.lower(), err[-3000:]
        for a in analysts:
            assert a.errors == []
            assert len(a.answers) >= 20
            assert set(a.answers) == {complete}  # only ever the complete warehouse

        state = sync_state(lake)
        assert {t for t, _ in state} == {t for t, _ in reference["state"]}
        assert state == reference["state"]
        assert {status for _, status in state.values()} == {"ok", "deleted"}  # none failed
        assert bytenite_state(concurrent) == reference["bytenite"]
        assert consonance_state(concurrent) == reference["consonance"]
        for system in ("bytenite", "consonance"):
            writes = ok_writes(concurrent, system)
            assert repeated(writes) == {}
            assert set(writes) == set(reference[f"{system}_writes"])
        # both runs overlapped in time and each finished every target it started
        import sqlite3

        db = sqlite3.connect(lake / "state/sync.sqlite")
        runs = db.execute(
            "select run_id, min(started_at), max(finished_at), count(*), count(finished_at) "
            "from sync_runs group by run_id order by run_id"
        ).fetchall()
        targets = db.execute(
            "select run_id, target from sync_runs where finished_at is not null"
        ).fetchall()
        db.close()
        assert [r[0] for r in runs] == ["concurrent-bytenite_sync", "concurrent-consonance_sync"]
        assert [r[4] for r in runs] == [r[3] for r in runs]
        assert sorted(targets) == sorted(
            [
                *(("concurrent-bytenite_sync", f"bytenite.{t}") for t in BYTENITE_TARGETS),
                *(("concurrent-consonance_sync", f"consonance.{t}") for t in CONSONANCE_TARGETS),
            ]
        )
        (_, b_start, b_end, *_), (_, c_start, c_end, *_) = runs
        assert b_start < c_end and c_start < b_end
        # and the rebuilt warehouse was swapped in while they ran
        first_start = datetime.fromisoformat(min(b_start, c_start))
        assert first_start < swapped_at < datetime.fromisoformat(max(b_end, c_end))
    finally:
        concurrent.stop()
