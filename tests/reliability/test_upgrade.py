"""Issue 14 §4: upgrading a deployment. A lake and sync state written by an earlier release are
migrated on first use; the next cycle then makes no write twice and loses no per-row history.
A lake or state newer than the code (a downgrade) is refused with a clear message.

The earlier release's files are ``tests/fixtures/upgrade/release-0.1.0`` (one day's cycle of
release 0.1.0's pipeline on a small world, frozen as text by ``make_fixture.py`` and thawed here
with pyarrow and sqlite3 only). Two copies of that world run here:

* the *reference*: this release runs day 1 and day 2, never upgraded;
* the *upgraded* one: its remote side gets day 1's writes from this release's syncs (checked
  equal to the writes release 0.1.0 made, so it holds what the frozen state says was written),
  then the frozen lake and state replace this release's, and day 2 runs on them.

The upgraded path must end where the reference does: the same accepted writes (none twice),
the same remote systems, sync state and warehouse.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.e2e.lakeutil import lake_digest
from tests.fixtures.upgrade.frozen import thaw
from tests.fixtures.upgrade.make_fixture import STEPS, run_id, writes_json
from tests.harness import (
    DRIVER,
    REMOTE_WRITE_TIMES,
    ROOT,
    WALL_CLOCK_COLUMNS,
    Emulators,
    bytenite_state,
    consonance_state,
    copy_lake,
    ok_writes,
    raw_digest,
    repeated,
    run_step,
    step_env,
    sync_state,
    warehouse_digest,
)

pytestmark = pytest.mark.e2e

FIXTURE = ROOT / "tests" / "fixtures" / "upgrade" / "release-0.1.0"
META = json.loads((FIXTURE / "meta.json").read_text())
SEED, WORKS = META["seed"], META["works"]
DAY, TODAY = date.fromisoformat(META["day"]), date.fromisoformat(META["today"])
DAY2, TODAY2 = DAY + timedelta(days=1), TODAY + timedelta(days=1)
EXTRACT_BUILD, SYNCS = STEPS[:4], STEPS[4:]
#: values a remote system assigns when it applies a write (random ids, times): never equal
#: between two worlds (as in tests/deploy)
REMOTE_ASSIGNED = REMOTE_WRITE_TIMES | {"placement_id", "marketing_text_id"}
DROP = WALL_CLOCK_COLUMNS | REMOTE_ASSIGNED | {"observed_json", "context_json"}
CONSONANCE_WORKS_DIR = Path("raw/consonance/works")


def _rows(lake: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(lake / "state" / "sync.sqlite")
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _manifests(lake: Path) -> dict[str, dict[str, Any]]:
    return {
        str(p.relative_to(lake)): json.loads(p.read_text())
        for p in sorted((lake / "raw").glob("*/*/*=*/_manifest.json"))
    }


def _end(world: Emulators, lake: Path) -> dict[str, Any]:
    return {
        "bytenite": bytenite_state(world),
        "consonance": consonance_state(world),
        "writes": {s: ok_writes(world, s) for s in ("bytenite", "consonance")},
        "sync_state": sync_state(lake),
        "warehouse": warehouse_digest(lake / "warehouse" / "analytics.duckdb", DROP),
        "warehouse_without_lineage": warehouse_digest(
            lake / "warehouse" / "analytics.duckdb", DROP | {"extracted_on"}
        ),
        "metrics": {
            k: v
            for k, v in raw_digest(lake / "raw", DROP).items()
            if k.startswith("bytenite/daily_metrics/")
        },
    }


@pytest.fixture(scope="module")
def upgrade(tmp_path_factory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("upgrade")
    reference_world = Emulators(seed=SEED, works=WORKS, today=TODAY)
    upgraded_world = Emulators(seed=SEED, works=WORKS, today=TODAY)
    out: dict[str, Any] = {"base": base}
    try:
        reference = base / "reference"
        env = step_env(reference_world, reference)
        for step in EXTRACT_BUILD:
            run_step(step, DAY, env)
        # the upgraded world's remote side: day 1's writes, made by this release's syncs
        scratch = copy_lake(reference, base / "scratch")
        for step in SYNCS:
            run_step(step, DAY, env, run_id=run_id(step, DAY))
            run_step(step, DAY, step_env(upgraded_world, scratch), run_id=run_id(step, DAY))
        out["day1_writes"] = writes_json(upgraded_world)

        upgraded = thaw(FIXTURE / "lake", base / "upgraded")
        out["frozen"] = {
            "raw": lake_digest(upgraded / "raw"),
            "manifests": _manifests(upgraded),
            "state": _rows(upgraded, "select * from sync_state order by target, key"),
            "log": _rows(upgraded, "select * from sync_log order by rowid"),
            "runs": _rows(upgraded, "select * from sync_runs order by run_id, target"),
            "user_version": _rows(upgraded, "pragma user_version"),
        }
        for world in (reference_world, upgraded_world):
            world.set_clock(TODAY2)
        for lake, world in ((reference, reference_world), (upgraded, upgraded_world)):
            env = step_env(world, lake)
            for step in STEPS:
                run_step(step, DAY2, env, run_id=run_id(step, DAY2))
        out["reference"] = _end(reference_world, reference)
        out["upgraded"] = _end(upgraded_world, upgraded)
        out["reference_lake"], out["upgraded_lake"] = reference, upgraded
        yield out
    finally:
        reference_world.stop()
        upgraded_world.stop()


def test_the_frozen_remote_side_is_what_release_0_1_0_wrote(upgrade: dict[str, Any]) -> None:
    """The precondition of everything below: the world is the one the fixture was frozen
    against. Day 1 on the upgraded world made each call release 0.1.0's pipeline made
    (``writes.json``): the same operation on the same target. Payloads are not compared: a later
    release may send more (a cover image URL, a thumbnail in a summary line) and make more calls
    (a new placement channel); what such a release writes is compared with the reference world
    by the tests below."""
    frozen = json.loads((FIXTURE / "writes.json").read_text())
    hint = (
        "the emulators' world is not the one the fixture was frozen against (an emulator "
        "change moved it): freeze it again from the same pipeline code, "
        f"`.venv/bin/python tests/fixtures/upgrade/make_fixture.py {META['commit']} {FIXTURE}`"
    )
    for system in ("bytenite", "consonance"):
        mine = {(w[0], w[1]) for w in upgrade["day1_writes"][system]}
        old = {(w[0], w[1]) for w in frozen[system]}
        assert old <= mine, (system, sorted(old - mine)[:5], hint)
    assert len(frozen["bytenite"]) > 20 and len(frozen["consonance"]) > 20


def test_the_lake_was_migrated_and_its_data_kept(upgrade: dict[str, Any]) -> None:
    lake = upgrade["upgraded_lake"]
    marker = json.loads((lake / "lake.json").read_text())
    assert marker["format"] == 2
    assert [(h["from"], h["to"]) for h in marker["history"]] == [(1, 2)]
    manifests = _manifests(lake)
    for path, before in upgrade["frozen"]["manifests"].items():
        assert "lake_format" not in before  # release 0.1.0's manifests were unstamped
        assert manifests[path] == {**before, "lake_format": 2}, path
    # day 2's manifests were written in the new format
    day2 = [m for p, m in manifests.items() if DAY2.isoformat() in p]
    assert day2 and all(m["lake_format"] == 2 for m in day2)
    # day 1's partitions are what release 0.1.0 wrote
    now = lake_digest(lake / "raw")
    assert {k: now[k] for k in upgrade["frozen"]["raw"]} == upgrade["frozen"]["raw"]


@pytest.mark.parametrize("system", ["bytenite", "consonance"])
def test_the_cycle_after_the_upgrade_wrote_what_the_reference_did_and_nothing_twice(
    upgrade: dict[str, Any], system: str
) -> None:
    """Had the upgrade lost the state, the cycle would write every row again (or, had it lost the
    lake's manifests, extract and write differently): the accepted writes would differ."""
    mine, reference = upgrade["upgraded"]["writes"][system], upgrade["reference"]["writes"][system]
    assert mine == reference
    assert repeated(mine) == repeated(reference)  # a value set back and forth, never a retry


def test_day_two_wrote_something(upgrade: dict[str, Any]) -> None:
    """Else the comparison above would show nothing about a cycle that writes."""
    new = {
        system: set(upgrade["reference"]["writes"][system])
        - {tuple(w[:3]) for w in upgrade["day1_writes"][system]}
        for system in ("bytenite", "consonance")
    }
    assert sum(map(len, new.values())) >= 10, {k: len(v) for k, v in new.items()}


@pytest.mark.parametrize("part", ["bytenite", "consonance", "sync_state", "metrics"])
def test_the_upgraded_deployment_ends_where_the_reference_does(
    upgrade: dict[str, Any], part: str
) -> None:
    assert upgrade["upgraded"][part] == upgrade["reference"][part]


def test_the_first_extraction_after_the_upgrade_pulled_the_whole_catalogue(
    upgrade: dict[str, Any],
) -> None:
    """Release 0.1.0's full extraction lacks fields this release extracts (works' supporting
    resources: covers; products' sales-embargo and out-of-print dates), so day 2's Consonance
    extraction on the upgraded lake is full, where the reference's is daily."""
    modes = {
        name: json.loads(
            (
                upgrade[f"{name}_lake"]
                / CONSONANCE_WORKS_DIR
                / f"extracted_on={DAY2}"
                / "_manifest.json"
            ).read_text()
        )["mode"]
        for name in ("upgraded", "reference")
    }
    assert modes == {"upgraded": "full", "reference": "daily"}


#: The Consonance staging tables name the partition each work's version came from
#: (``extracted_on``): after the upgrade every work comes from day 2's full extraction, in the
#: reference a work unchanged on day 2 from day 1's. The one column allowed to differ.
LINEAGE_TABLES = {
    f"staging.stg_consonance__{e}" for e in ("works", "products", "marketing_texts", "web_links")
}


def test_the_upgraded_warehouse_equals_the_references(upgrade: dict[str, Any]) -> None:
    """Every table equal (marts, dimensions, reverse models: the covers and dates included), but
    ``extracted_on`` in the Consonance staging tables, which on the upgraded side is day 2."""
    mine, reference = upgrade["upgraded"]["warehouse"], upgrade["reference"]["warehouse"]
    assert set(mine) == set(reference)
    assert {t for t in reference if mine[t] != reference[t]} <= LINEAGE_TABLES
    without = upgrade["upgraded"]["warehouse_without_lineage"]
    assert without == upgrade["reference"]["warehouse_without_lineage"]
    wh = upgrade["upgraded_lake"] / "warehouse" / "analytics.duckdb"
    con = duckdb.connect(str(wh), read_only=True)
    try:
        for table in sorted(LINEAGE_TABLES):
            days = con.execute(f"select distinct extracted_on from {table}").fetchall()
            assert days == [(DAY2,)], (table, days)
    finally:
        con.close()


def test_the_sync_state_was_migrated(upgrade: dict[str, Any]) -> None:
    lake = upgrade["upgraded_lake"]
    assert upgrade["frozen"]["user_version"] == [(0,)]  # release 0.1.0's file had no version
    assert _rows(lake, "pragma user_version") == [(2,)]
    assert _rows(lake, "select from_version, to_version from schema_history") == [(1, 2)]


def test_no_per_row_history_was_lost(upgrade: dict[str, Any]) -> None:
    """Every row of release 0.1.0's sync state is still there, unchanged unless day 2 wrote it
    again; its per-call logs and runs are kept (within retention)."""
    lake = upgrade["upgraded_lake"]
    before = {(r[0], r[1]): r for r in upgrade["frozen"]["state"]}
    after = {(r[0], r[1]): r for r in _rows(lake, "select * from sync_state")}
    assert set(before) <= set(after)
    day2 = {
        (r[0], r[1])
        for r in _rows(lake, f"select target, key from sync_plan where run_id like '%:{DAY2}:%'")
    }
    untouched = set(before) - day2
    assert len(untouched) > len(before) / 2
    assert {k: after[k] for k in untouched} == {k: before[k] for k in untouched}
    log = _rows(lake, "select * from sync_log order by rowid")
    assert log[: len(upgrade["frozen"]["log"])] == upgrade["frozen"]["log"]
    runs = _rows(lake, f"select * from sync_runs where run_id like '%:{DAY}:%' order by 1, 2")
    assert runs == upgrade["frozen"]["runs"]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _refused(lake: Path, step: str) -> subprocess.CompletedProcess[str]:
    world = Emulators(seed=SEED, works=WORKS, today=TODAY2)
    try:
        return subprocess.run(
            [sys.executable, DRIVER, step, DAY2.isoformat()],
            env=step_env(world, lake),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        assert not world.writes("bytenite") and not world.writes("consonance")
        world.stop()


def test_a_downgrade_of_the_lake_is_refused_with_a_clear_message(upgrade: dict[str, Any]) -> None:
    """The lake marked by a release newer than this one: the extraction stops at once with the
    message, and nothing in the lake changed."""
    lake = copy_lake(upgrade["upgraded_lake"], upgrade["base"] / "downgrade-lake")
    marker = json.loads((lake / "lake.json").read_text())
    (lake / "lake.json").write_text(json.dumps({**marker, "format": 3, "release": "0.9.0"}))
    before = _files(lake)
    proc = _refused(lake, "consonance_extract")
    assert proc.returncode == 1
    assert (
        f"The lake at {lake} is in format 3 (written by release 0.9.0); this release "
        in proc.stderr
    )
    assert "Downgrading is not supported" in proc.stderr
    assert _files(lake) == before


def test_a_downgrade_of_the_sync_state_is_refused_with_a_clear_message(
    upgrade: dict[str, Any],
) -> None:
    """The sync state of a newer schema: the sync stops before any call, the file unchanged."""
    lake = copy_lake(upgrade["upgraded_lake"], upgrade["base"] / "downgrade-state")
    state = lake / "state" / "sync.sqlite"
    con = sqlite3.connect(state)
    con.execute("insert into schema_history values (2, 3, '0.9.0', '2027-01-01')")
    con.commit()
    con.execute("pragma user_version = 3")
    con.close()
    before = state.read_bytes()
    proc = _refused(lake, "bytenite_sync")
    assert proc.returncode == 1
    assert (
        f"The sync state {state} is in format 3 (written by release 0.9.0); this release "
        in proc.stderr
    )
    assert state.read_bytes() == before
