"""Crash consistency: SIGKILL at named points of extraction, the build and both syncs, then rerun.

Every step runs in its own process (as an Airflow task does; ``driver.py``) and a failpoint
(``titlevideo.failpoints``) kills it with SIGKILL. The rerun is what Airflow's retry does: the
killed step again, then the steps after it. The end must be indistinguishable from a run that
was never killed:

* extraction and build points work on day D2 over a lake and warehouse of day D1: while the
  process lies dead, every visible partition is a complete old or new one and the stable
  warehouse is the complete old (or, after the rename, new) build; after the rerun the lake and
  the warehouse have the content hashes of an unkilled run (``lake_digest``, ``warehouse_digest``);
* sync points work on day D1's warehouse against a fresh pair of emulators: after the rerun both
  systems are in the state an unkilled sync leaves, their write logs hold the same accepted
  writes with none applied twice, and the durable sync state is the same.

Cases without the ``long`` mark are the fast subset that runs in ``make test``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.lakeutil import lake_digest
from tests.harness import (
    Emulators,
    bytenite_state,
    consonance_state,
    copy_lake,
    ok_writes,
    repeated,
    run_step,
    step_env,
    sync_state,
    warehouse_digest,
)
from titlevideo.failpoints import POINTS

pytestmark = pytest.mark.e2e
long = pytest.mark.long

SEED, WORKS = 5, 250
D1, TODAY1 = date(2026, 11, 26), date(2026, 11, 27)
D2, TODAY2 = date(2026, 11, 27), date(2026, 11, 28)
EXTRACT = ("consonance_extract", "bytenite_snapshot", "bytenite_metrics")

# (step, failpoint): the step is killed at the failpoint, then rerun
EXTRACT_CASES = [
    ("consonance_extract", "lake.partition.before_rename@2"),
    pytest.param("consonance_extract", "extract.consonance.page@1", marks=long),
    pytest.param("consonance_extract", "lake.partition.after_rename@1", marks=long),
    pytest.param("consonance_extract", "extract.commit.before_quarantine@3", marks=long),
    pytest.param("consonance_extract", "extract.commit.between_entities@2", marks=long),
    pytest.param("consonance_extract", "extract.commit.before_manifest", marks=long),
    pytest.param("consonance_extract", "lake.json.before_rename@3", marks=long),
    pytest.param("bytenite_snapshot", "extract.bytenite.page@2", marks=long),
    pytest.param("bytenite_snapshot", "extract.commit.between_entities@1", marks=long),
    pytest.param("bytenite_metrics", "extract.metrics.page@1", marks=long),
]
BUILD_CASES = [
    ("warehouse.swap.before_replace", "old"),
    pytest.param("warehouse.build.after_lock", "old", marks=long),
    pytest.param("warehouse.build.model.staging@4", "old", marks=long),
    pytest.param("warehouse.build.model.intermediate@2", "old", marks=long),
    pytest.param("warehouse.build.model.marts@5", "old", marks=long),
    pytest.param("warehouse.build.model.reverse@3", "old", marks=long),
    pytest.param("warehouse.build.before_quality", "old", marks=long),
    pytest.param("warehouse.build.before_meta", "old", marks=long),
    pytest.param("warehouse.swap.after_replace", "new", marks=long),
]
SYNC_CASES = [
    ("bytenite_sync", "sync.call.after@120"),  # an asset metadata update, not yet recorded
    pytest.param("consonance_sync", "sync.call.after@7", marks=long),  # a link created
    pytest.param("bytenite_sync", "sync.plan.recorded@2", marks=long),
    pytest.param("bytenite_sync", "sync.call.before@3", marks=long),
    pytest.param("bytenite_sync", "sync.call.after@3", marks=long),  # a job created, not run
    pytest.param("bytenite_sync", "sync.bytenite.job.created@4", marks=long),
    pytest.param("bytenite_sync", "sync.row.before_record@30", marks=long),
    pytest.param("bytenite_sync", "sync.bytenite.placement.disabled@2", marks=long),
    pytest.param("bytenite_sync", "sync.call.after@240", marks=long),  # a placement call
    pytest.param("bytenite_sync", "sync.between_targets@2", marks=long),
    pytest.param("consonance_sync", "sync.call.before@1", marks=long),
    pytest.param("consonance_sync", "sync.row.before_record@500", marks=long),  # a link update
    pytest.param("consonance_sync", "sync.call.after@600", marks=long),  # a link delete
    pytest.param("consonance_sync", "sync.between_targets@1", marks=long),
    pytest.param("consonance_sync", "sync.consonance.summary.created@5", marks=long),
]


class Templates:
    """Lakes and reference results of runs that were never killed."""

    a: Path  # D1 extracted and built
    c: Path  # A + D2 extracted (warehouse still D1's)
    lake_a: dict[str, str]
    lake_b: dict[str, str]  # after D2 extraction
    wh_a: dict[str, tuple[int, str]]
    wh_b: dict[str, tuple[int, str]]  # after D2's build
    sync_ref: dict[str, Any]
    d2_world: Emulators  # serves D2 (extraction never writes, so it is shared)


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Templates:
    t = Templates()
    base = tmp_path_factory.mktemp("crash")
    day1 = Emulators(seed=SEED, works=WORKS, today=TODAY1)
    t.d2_world = Emulators(seed=SEED, works=WORKS, today=TODAY2)
    try:
        t.a = base / "a"
        env = step_env(day1, t.a)
        for step in (*EXTRACT, "build"):
            run_step(step, D1, env)
        t.lake_a, t.wh_a = (
            lake_digest(t.a / "raw"),
            warehouse_digest(t.a / "warehouse/analytics.duckdb"),
        )

        t.c = copy_lake(t.a, base / "c")
        for step in EXTRACT:
            run_step(step, D2, step_env(t.d2_world, t.c))
        b = copy_lake(t.c, base / "b")
        run_step("build", D2, step_env(t.d2_world, b))
        t.lake_b, t.wh_b = (
            lake_digest(b / "raw"),
            warehouse_digest(b / "warehouse/analytics.duckdb"),
        )
        assert set(t.lake_b) > set(t.lake_a) and len(t.lake_b) == len(t.lake_a) + 8
        changed = {k for k in t.wh_a if t.wh_a[k] != t.wh_b[k]}
        assert {"marts.fct_video_daily", "marts.mart_title_performance"} <= changed

        ref = copy_lake(t.a, base / "sync-ref")
        env = step_env(day1, ref)
        run_step("bytenite_sync", D1, env, run_id="ref-b")
        run_step("consonance_sync", D1, env, run_id="ref-c")
        t.sync_ref = {
            "bytenite": bytenite_state(day1),
            "consonance": consonance_state(day1),
            "bytenite_writes": ok_writes(day1, "bytenite"),
            "consonance_writes": ok_writes(day1, "consonance"),
            "sync_state": sync_state(ref),
        }
        # the reference itself wrote every kind of thing once: creates, updates and deletes
        ops = {op for op, _, _ in t.sync_ref["bytenite_writes"]} | {
            op for op, _, _ in t.sync_ref["consonance_writes"]
        }
        assert {
            "jobs.create",
            "jobs.run",
            "assets.metadata",
            "placements.create",
            "createWebLink",
            "updateWebLink",
            "deleteWebLink",
            "createMarketingText",
        } <= ops, ops
        assert not repeated(t.sync_ref["bytenite_writes"])
        assert not repeated(t.sync_ref["consonance_writes"])
        yield t
    finally:
        day1.stop()
        t.d2_world.stop()


def _no_temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if ".tmp-" in p.name or ".build-" in p.name]


@pytest.mark.parametrize(("step", "failpoint"), EXTRACT_CASES)
def test_killed_extraction_leaves_whole_partitions_and_the_rerun_matches(
    templates: Templates, tmp_path: Path, step: str, failpoint: str
):
    t = templates
    lake = copy_lake(t.a, tmp_path / "lake")
    env = step_env(t.d2_world, lake)
    first = EXTRACT.index(step)
    for before in EXTRACT[:first]:
        run_step(before, D2, env)
    run_step(step, D2, env, failpoint=failpoint)

    # dead: every visible partition is a complete old one or a complete new one
    visible = lake_digest(lake / "raw")
    for path, digest in visible.items():
        assert digest in (t.lake_a.get(path), t.lake_b[path]), path
    assert set(t.lake_a) <= set(visible)

    for after in EXTRACT[first:]:
        run_step(after, D2, env)
    run_step("build", D2, env)
    assert lake_digest(lake / "raw") == t.lake_b
    assert warehouse_digest(lake / "warehouse/analytics.duckdb") == t.wh_b
    assert _no_temp_files(lake / "raw") == []


@pytest.mark.parametrize(("failpoint", "visible"), BUILD_CASES)
def test_killed_build_leaves_a_whole_warehouse_and_the_rerun_matches(
    templates: Templates, tmp_path: Path, failpoint: str, visible: str
):
    t = templates
    lake = copy_lake(t.c, tmp_path / "lake")
    env = step_env(t.d2_world, lake)
    run_step("build", D2, env, failpoint=failpoint)

    # dead: the stable path holds a complete warehouse, the old one until the rename
    stable = lake / "warehouse/analytics.duckdb"
    assert warehouse_digest(stable) == (t.wh_a if visible == "old" else t.wh_b)

    run_step("build", D2, env)
    assert warehouse_digest(stable) == t.wh_b
    assert lake_digest(lake / "raw") == t.lake_b
    assert _no_temp_files(lake / "warehouse") == []


@pytest.mark.parametrize(("step", "failpoint"), SYNC_CASES)
def test_killed_sync_reruns_to_the_same_remote_state_without_writing_twice(
    templates: Templates, tmp_path: Path, step: str, failpoint: str
):
    t = templates
    ref = t.sync_ref
    lake = copy_lake(t.a, tmp_path / "lake")
    world = Emulators(seed=SEED, works=WORKS, today=TODAY1)
    try:
        env = step_env(world, lake)
        if step == "consonance_sync":
            run_step("bytenite_sync", D1, env, run_id="b-1")
        run_step(step, D1, env, failpoint=failpoint, run_id="killed")
        run_step(step, D1, env, run_id="rerun")
        if step == "bytenite_sync":
            run_step("consonance_sync", D1, env, run_id="c-1")

        bytenite_writes, consonance_writes = (
            ok_writes(world, "bytenite"),
            ok_writes(world, "consonance"),
        )
        assert repeated(bytenite_writes) == {}
        assert repeated(consonance_writes) == {}
        assert set(bytenite_writes) == set(ref["bytenite_writes"])
        assert set(consonance_writes) == set(ref["consonance_writes"])
        assert bytenite_state(world) == ref["bytenite"]
        assert consonance_state(world) == ref["consonance"]
        assert sync_state(lake) == ref["sync_state"]
        # the syncs never touch the lake or the warehouse
        assert lake_digest(lake / "raw") == t.lake_a
        assert warehouse_digest(lake / "warehouse/analytics.duckdb") == t.wh_a
    finally:
        world.stop()


def test_the_cases_cover_at_least_twenty_distinct_points_in_every_stage():
    def points(cases: list[Any]) -> set[str]:
        out = set()
        for case in cases:
            values = case.values if hasattr(case, "values") else case
            spec = next(v for v in values if v in POINTS or v.split("@")[0] in POINTS)
            out.add(spec.split("@")[0])
        return out

    covered = points(EXTRACT_CASES) | points(BUILD_CASES) | points(SYNC_CASES)
    assert len(covered) >= 20
    assert covered == set(POINTS)  # every failpoint in the code is exercised


@long
def test_killed_between_a_new_summary_and_the_deletion_of_the_old(
    templates: Templates, tmp_path: Path
):
    """Day two replaces every performance summary: the new text is created, then the old one
    deleted. Killed in between, a work shows two summaries; the rerun must keep the new one and
    delete the old, and end as a run that was never killed."""
    from titlevideo.config import load_rules

    marker = load_rules().summary_marker

    def two_days(name: str, failpoint: str | None) -> dict[str, Any]:
        world = Emulators(seed=SEED, works=WORKS, today=TODAY1)
        try:
            lake = copy_lake(templates.a, tmp_path / name)
            env = step_env(world, lake)
            run_step("bytenite_sync", D1, env, run_id="b1")
            run_step("consonance_sync", D1, env, run_id="c1")
            world.set_clock(TODAY2)
            for step in (*EXTRACT, "build", "bytenite_sync"):
                run_step(step, D2, env, run_id="b2")
            out: dict[str, Any] = {}
            if failpoint:
                run_step("consonance_sync", D2, env, failpoint=failpoint, run_id="killed")
                summaries: dict[int, int] = {}
                for work, text in consonance_state(world)["texts"]:
                    if text.startswith(marker):
                        summaries[work] = summaries.get(work, 0) + 1
                out["doubled"] = sorted(w for w, n in summaries.items() if n > 1)
            run_step("consonance_sync", D2, env, run_id="c2")
            out |= {
                "bytenite": bytenite_state(world),
                "consonance": consonance_state(world),
                "bytenite_writes": ok_writes(world, "bytenite"),
                "consonance_writes": ok_writes(world, "consonance"),
                "sync_state": sync_state(lake),
            }
            return out
        finally:
            world.stop()

    reference = two_days("reference", None)
    killed = two_days("killed", "sync.consonance.summary.created@3")
    assert len(killed.pop("doubled")) == 1  # the window was real: one work had two summaries
    replaced = [k for k in reference["consonance_writes"] if k[0] == "deleteMarketingText"]
    assert len(replaced) > 50  # day two replaced the summaries
    assert repeated(killed["consonance_writes"]) == {}
    assert repeated(killed["bytenite_writes"]) == {}
    assert killed == reference
