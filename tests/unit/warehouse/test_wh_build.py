"""The build as a process: incremental vs full, replace-not-append, gates before the swap, the lock."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.fixtures.lake.lakebuilder import LakeBuilder, asset, metric, ts, warehouse_sql, work
from tests.fixtures.lake.reflake import D1, D2, D3, METRICS, isbn, write_reference_lake
from titlevideo.config import Lake, Rules
from titlevideo.quality import QualityError
from titlevideo.warehouse.build import TEMP_PREFIX, BuildLocked, build_warehouse
from titlevideo.warehouse.meta import ModelTestFailure

pytestmark = pytest.mark.unit

D4 = date(2026, 3, 4)
RULES = Rules()
#: The incremental models: the fact and the per-asset daily aggregate chained to it, which the
#: fact-aggregating marts roll up. Both reload the same metric dates.
INCREMENTAL = ("fct_video_daily", "int_video_asset_channel_daily")


def reloads(*dates: date) -> dict[str, tuple[date, ...]]:
    return dict.fromkeys(INCREMENTAL, dates)


@pytest.fixture(scope="module")
def sql(tmp_path_factory):
    return warehouse_sql(tmp_path_factory.mktemp("sql"))


def _cell(value: object) -> object:
    # a float sum may differ in its last bits between two builds (other summation order: partial
    # sums by date in the incremental aggregates): compare floats at 12 significant digits
    return float(f"{value:.12g}") if isinstance(value, float) else value


def snapshot(path: Path) -> dict[str, list[str]]:
    """Every modelled table's rows, order-free (meta, which records the build itself, excluded);
    floats at 12 significant digits."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name in ('staging', 'intermediate', 'marts', 'ref') order by 1, 2"
        ).fetchall()
        return {
            f"{s}.{t}": sorted(
                repr(tuple(_cell(v) for v in r))
                for r in con.execute(f'select * from "{s}"."{t}"').fetchall()
            )
            for s, t in tables
        }
    finally:
        con.close()


def fact_counts(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "select metric_date, count(*), sum(views), count(work_id) from marts.fct_video_daily group by 1 order by 1"
        ).fetchall()
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_incremental_build_equals_a_full_rebuild(tmp_path, sql):
    ref = write_reference_lake(tmp_path)
    lake = ref.builder.lake
    b = ref.builder
    first = build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    assert first.plan.mode == "full"

    # Changes after the first build: D2 re-extracted with other numbers, a new D4, D1 deleted,
    # a newer ByteNite snapshot in which A1 is now labelled for work 1002 (its carried-over D3
    # rows must follow), and a Consonance batch renaming work 1003.
    b.metrics(
        D2,
        ts("2026-03-05T01:00"),
        [metric("A1", "YOUTUBE", "GB", 999), metric("A4", "RETAILER", "US", 1)],
    )
    b.metrics(D4, ts("2026-03-05T01:00"), [metric("A2", "TIKTOK", "GB", 7)])
    shutil.rmtree(lake.raw / "bytenite" / "daily_metrics" / f"metric_date={D1.isoformat()}")
    current = [
        asset("A1", work_label="1002"),
        asset("A2", deliverable="SOCIAL_CUTDOWN", isbn_label=isbn(200)),
        asset("A4", deliverable="AUDIOBOOK_SAMPLE", audio_isbn_label=isbn(203)),
        asset("A8", work_label="1004"),
        asset("A11", work_label="1003"),
    ]
    b.bytenite_snapshot(D4, ts("2026-03-05T02:00"), assets=current)
    b.consonance(D4, ts("2026-03-05T03:00"), works=[work(1003, "Glass Orchard (Revised)")])

    incremental = build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    assert incremental.plan.mode == "incremental"
    assert incremental.plan.reload_dates == reloads(D1, D2, D4)
    assert {m.name: m.mode for m in incremental.models if m.name in INCREMENTAL} == dict.fromkeys(
        INCREMENTAL, "incremental"
    )
    after_incremental = snapshot(lake.warehouse)
    # the snapshot (compared with the full rebuild below) holds the incremental aggregates too;
    # A1's carried-over D3 views reach its new title only through the marts' roll-up
    assert {t for t in after_incremental if t.startswith("intermediate.int_video_asset_")} == {
        f"intermediate.{m}" for m in INCREMENTAL[1:]
    }
    assert fact_counts(lake.warehouse) == [
        (D2, 2, 1000, 2),
        (D3, len(METRICS[D3]), sum(m["views"] for m in METRICS[D3]), 3),
        (D4, 1, 7, 1),
    ]
    con = duckdb.connect(str(lake.warehouse), read_only=True)
    assert con.execute(
        "select work_id from marts.fct_video_daily where asset_id = 'A1' and metric_date = ?", [D3]
    ).fetchall() == [(1002,)]
    for model in INCREMENTAL[1:]:  # D1's partition is gone: its aggregates too
        assert con.execute(
            f"select distinct metric_date from intermediate.{model} order by 1"
        ).fetchall() == [(D2,), (D3,), (D4,)]
    # the newest snapshot has no placements at all: none is current any more
    assert con.execute("select count(*) from staging.stg_bytenite__placements").fetchone() == (0,)
    con.close()

    full = build_warehouse(lake, rules=RULES, validate=None, full_rebuild=True, sql_root=sql)
    assert full.plan.mode == "full"
    assert snapshot(lake.warehouse) == after_incremental


def test_rerunning_a_date_replaces_it_and_never_appends(tmp_path, sql):
    ref = write_reference_lake(tmp_path)
    lake = ref.builder.lake
    build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    before = fact_counts(lake.warehouse)
    # the extraction of D2 runs again (same rows, a new file): D2 is reloaded, twice over
    for attempt in range(2):
        ref.builder.metrics(D2, ts(f"2026-03-06T0{attempt}:00"), METRICS[D2])
        result = build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
        assert result.plan.reload_dates == reloads(D2)
        assert fact_counts(lake.warehouse) == before
    unchanged = build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    assert unchanged.plan == unchanged.plan.__class__(
        "incremental", unchanged.plan.reason, reloads()
    )
    assert fact_counts(lake.warehouse) == before


def test_a_changed_model_forces_a_full_rebuild(tmp_path, sql):
    ref = write_reference_lake(tmp_path / "lake")
    sql_root = warehouse_sql(tmp_path / "own")
    lake = ref.builder.lake
    build_warehouse(lake, rules=RULES, validate=None, sql_root=sql_root)
    model = sql_root / "models" / "staging" / "stg_bytenite__daily_metrics.sql"
    model.write_text(model.read_text() + "\n-- a changed model\n")
    result = build_warehouse(lake, rules=RULES, validate=None, sql_root=sql_root)
    assert (result.plan.mode, result.plan.reason) == (
        "full",
        "fct_video_daily or a model upstream of it changed",
    )


def test_an_incremental_build_keeps_only_the_incremental_tables_of_the_previous_file(tmp_path, sql):
    """It starts from a copy of the previous warehouse: anything else in that file is dropped."""
    ref = write_reference_lake(tmp_path)
    lake = ref.builder.lake
    build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    expected = snapshot(lake.warehouse)
    con = duckdb.connect(str(lake.warehouse))  # a table of a model since removed, a stray view
    con.execute("create table marts.mart_removed as select 1 as x")
    con.execute("create view marts.v_stray as select 1 as x")
    con.execute("update marts.dim_title set title = 'stale'")  # rebuilt, so overwritten
    con.close()
    result = build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    assert result.plan.mode == "incremental"
    assert snapshot(lake.warehouse) == expected
    con = duckdb.connect(str(lake.warehouse), read_only=True)
    assert con.execute(
        "select count(*) from duckdb_tables() where table_name = 'mart_removed'"
    ).fetchone() == (0,)
    assert con.execute(
        "select count(*) from duckdb_views() where view_name = 'v_stray'"
    ).fetchone() == (0,)
    con.close()


def test_a_previous_warehouse_in_another_storage_format_forces_a_full_rebuild(
    tmp_path, sql, monkeypatch
):
    from titlevideo.warehouse import build

    ref = write_reference_lake(tmp_path)
    lake = ref.builder.lake
    build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    monkeypatch.setattr(build, "STORAGE_HEADER_NUMBER", 68)  # as if ours had moved on
    result = build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    assert (result.plan.mode, result.plan.reason) == (
        "full",
        "previous warehouse is in storage format 67",
    )


def _no_temp_files(lake: Lake) -> bool:
    return not any(p.name.startswith(TEMP_PREFIX) for p in lake.warehouse_dir.iterdir())


def test_a_failing_model_test_stops_the_build_before_the_swap(tmp_path, sql):
    ref = write_reference_lake(tmp_path)
    lake = ref.builder.lake
    build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    old = digest(lake.warehouse)
    old_counts = fact_counts(lake.warehouse)
    row = metric("A1", "YOUTUBE", "GB", 5)
    ref.builder.metrics(D4, ts("2026-03-05T01:00"), [row, row])  # a duplicate key
    with pytest.raises(ModelTestFailure, match=r"fct_video_daily\.unique_combination"):
        build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    assert digest(lake.warehouse) == old
    assert fact_counts(lake.warehouse) == old_counts
    assert _no_temp_files(lake)


def test_a_failing_range_test_stops_the_build_before_the_swap(tmp_path, sql):
    ref = write_reference_lake(tmp_path)
    lake = ref.builder.lake
    build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    old = digest(lake.warehouse)
    # passes keys, codes and relationships, but not completion_rate's declared range 0..1
    ref.builder.metrics(
        D4, ts("2026-03-05T01:00"), [metric("A1", "YOUTUBE", "GB", 5, completion_rate=1.5)]
    )
    with pytest.raises(ModelTestFailure) as failed:
        build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    # the fact table's range; dbt then skips every model downstream of the fact (and its tests)
    assert {(r.model, r.name.split("_")[0]) for r in failed.value.results} == {
        ("fct_video_daily", "between")
    }
    assert all("completion_rate" in r.name for r in failed.value.results)
    assert digest(lake.warehouse) == old
    assert _no_temp_files(lake)


def test_a_failing_gx_suite_stops_the_build_before_the_swap(tmp_path, sql):
    ref = write_reference_lake(tmp_path)
    lake = ref.builder.lake
    build_warehouse(lake, rules=RULES, sql_root=sql)
    # as if the previous build had had 100 titles: this lake's 6 are a collapse (GX's volume
    # check against the previous build; dbt's tests see one build only)
    con = duckdb.connect(str(lake.warehouse))
    con.execute("update meta.model_runs set rows = 100 where model = 'dim_title'")
    con.close()
    old = digest(lake.warehouse)
    with pytest.raises(QualityError, match=r"marts\.dim_title: "):
        build_warehouse(lake, rules=RULES, sql_root=sql)
    assert digest(lake.warehouse) == old
    assert _no_temp_files(lake)
    summary = json.loads((lake.reports / "data_docs" / "marts" / "summary.json").read_text())
    assert {r["suite"] for r in summary["suites"] if not r["success"]} == {"marts.dim_title"}


@pytest.mark.parametrize("worker", ["cannot start", "dies before its job"])
def test_without_a_usable_gx_worker_the_build_validates_in_its_own_process(
    tmp_path, sql, monkeypatch, caplog, worker
):
    from titlevideo.quality.worker import GxWorker

    command = (
        (str(tmp_path / "no-such-python"),)
        if worker == "cannot start"
        else (sys.executable, "-c", "import sys; sys.exit(3)")
    )
    monkeypatch.setattr(GxWorker, "command", command)
    ref = write_reference_lake(tmp_path)
    lake = ref.builder.lake
    build_warehouse(lake, rules=RULES, sql_root=sql)
    con = duckdb.connect(str(lake.warehouse))
    con.execute("update meta.model_runs set rows = 100 where model = 'dim_title'")
    con.close()
    old = digest(lake.warehouse)
    # the same suites, run here: the collapse of the title dimension still stops the build
    with (
        caplog.at_level("WARNING", logger="titlevideo.quality.worker"),
        pytest.raises(QualityError, match=r"marts\.dim_title: "),
    ):
        build_warehouse(lake, rules=RULES, sql_root=sql)
    expected = "did not start" if worker == "cannot start" else "exited with 3"
    assert expected in caplog.text and "in this process" in caplog.text
    assert digest(lake.warehouse) == old
    summary = json.loads((lake.reports / "data_docs" / "marts" / "summary.json").read_text())
    assert {r["suite"] for r in summary["suites"] if not r["success"]} == {"marts.dim_title"}
    assert {r["suite"] for r in summary["suites"] if r["success"]} == {"marts.fct_video_daily"}


def test_one_writer_at_a_time(tmp_path, sql):
    ref = write_reference_lake(tmp_path)
    lake = ref.builder.lake
    lake.warehouse_dir.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            "f = open(sys.argv[1], 'a')\n"
            "fcntl.flock(f, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "time.sleep(60)\n",
            str(lake.warehouse_dir / ".build.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(BuildLocked):
            build_warehouse(lake, rules=RULES, validate=None, lock_timeout=0.5, sql_root=sql)
        assert time.monotonic() - started >= 0.5
        assert not lake.warehouse.exists()
    finally:
        holder.kill()
        holder.wait()
    build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)  # the lock died with its holder
    assert lake.warehouse.exists()


def test_entities_without_partitions_are_empty_tables_not_errors(tmp_path, sql):
    b = LakeBuilder(tmp_path)
    b.consonance(D1, ts("2026-03-01T06:00"), works=[work(1001, "Only Consonance So Far")])
    result = build_warehouse(
        b.lake, rules=RULES, sql_root=sql
    )  # ByteNite has not been extracted yet
    assert result.summary()["rows"]["fct_video_daily"] == 0
    assert result.summary()["rows"]["dim_title"] == 1
    assert result.summary()["suites_passed"] == 2


def test_stale_temp_files_of_a_killed_build_are_removed(tmp_path, sql):
    ref = write_reference_lake(tmp_path)
    lake = ref.builder.lake
    lake.warehouse_dir.mkdir(parents=True)
    stale = lake.warehouse_dir / f"{TEMP_PREFIX}deadbeef"
    stale.write_bytes(b"half a build")
    build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    assert not stale.exists() and lake.warehouse.exists()
    assert sorted(p.name for p in lake.warehouse_dir.iterdir()) == [
        ".build.lock",
        "analytics.duckdb",
        "dbt",  # dbt's profile, artifacts and partial-parse file
    ]


def test_task_adapter_emits_the_warehouse_asset_with_the_day(tmp_path, sql, monkeypatch):
    from types import SimpleNamespace

    from titlevideo import dagkit
    from titlevideo.warehouse.task import build_task

    ref = write_reference_lake(tmp_path)
    monkeypatch.setenv("LAKE_ROOT", str(tmp_path))
    monkeypatch.setattr("titlevideo.warehouse.build.SQL_ROOT", sql)

    class Events(dict):
        def __missing__(self, key):
            self[key] = SimpleNamespace(extra=None)
            return self[key]

    events = Events()
    summary = build_task(
        {"params": {"date": "2026-03-03", "full_rebuild": True}, "outlet_events": events}
    )
    warehouse_asset = dagkit.assets()[dagkit.WAREHOUSE]
    assert events[warehouse_asset].extra == {"date": "2026-03-03"}
    assert summary["mode"] == "full" and summary["date"] == "2026-03-03"
    assert summary["suites_passed"] == 2
    report = ref.builder.lake.reports / "runs" / "2026-03-03" / "warehouse_build.json"
    assert "full build" in report.read_text()


def test_dot_prefixed_files_in_a_partition_are_never_read(tmp_path, sql):
    ref = write_reference_lake(tmp_path)
    lake = ref.builder.lake
    day_dir = lake.raw / "bytenite" / "daily_metrics" / f"metric_date={D2.isoformat()}"
    committed = day_dir / "data.parquet"
    # a writer's temp file, and a dot-file DuckDB's own *.parquet glob would match
    shutil.copy(committed, day_dir / ".data.parquet.tmp-0123abcd")
    shutil.copy(committed, day_dir / ".stray.parquet")
    result = build_warehouse(lake, rules=RULES, validate=None, sql_root=sql)
    assert result.summary()["rows"]["fct_video_daily"] == sum(len(v) for v in METRICS.values())
    con = duckdb.connect(str(lake.warehouse), read_only=True)
    paths = [
        p
        for (p,) in con.execute(
            "select path from meta.raw_partitions where entity = 'daily_metrics' order by 1"
        ).fetchall()
    ]
    con.close()
    assert paths == [
        f"bytenite/daily_metrics/metric_date={d.isoformat()}/data.parquet" for d in (D1, D2, D3)
    ]
