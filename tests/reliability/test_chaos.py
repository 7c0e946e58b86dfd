"""Chaos: full daily cycles against both emulators under the ``chaos`` fault profile.

Two worlds of the same seed: one clean, one failing ≥10% of requests with 5xx, 5% with 429, and
timing out, dropping connections and truncating bodies. Each runs two daily cycles (extract,
raw quality gate, build, ByteNite sync, Consonance sync), with the same changes made by people
between them (a title withdrawn, a title's rights narrowed, an asset unpublished). The client
times out after 1 s while the emulator holds a "timeout" request 3 s and then applies it, so
timeouts are real ones: the write lands after the client gave up.

The chaos world must end where the clean one does: the same lake and warehouse (content hashes),
the same objects in both systems, the same durable sync state, and the same accepted writes,
no create among them applied twice (an update whose answer was lost may be sent again with the
same payload). A second test does the same for the extraction of a catalogue big enough that the
extraction itself takes many faults.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

from emulators.common import PROFILES
from tests.e2e.lakeutil import lake_digest
from tests.harness import (
    REMOTE_WRITE_TIMES,
    WALL_CLOCK_COLUMNS,
    Emulators,
    bytenite_state,
    consonance_state,
    ok_writes,
    raw_digest,
    repeated,
    sync_state,
    warehouse_digest,
)
from titlevideo.config import Lake
from titlevideo.extract.bytenite import extract_bytenite_metrics, extract_bytenite_snapshot
from titlevideo.extract.consonance import extract_consonance
from titlevideo.quality import validate_raw
from titlevideo.reverse.targets.bytenite import sync_bytenite
from titlevideo.reverse.targets.consonance import sync_consonance
from titlevideo.transport import RetryPolicy
from titlevideo.warehouse import build_warehouse

pytestmark = [pytest.mark.e2e, pytest.mark.long]

SEED, WORKS = 5, 250
D1, TODAY1 = date(2026, 11, 26), date(2026, 11, 27)
D2, TODAY2 = date(2026, 11, 27), date(2026, 11, 28)
#: read timeout 1 s < the emulator's 3 s "timeout" hold; a write left without an answer is given
#: 3 s more to land before anything else is sent (it lands at 3 s)
POLICY = RetryPolicy(
    max_attempts=6,
    base_delay=0.05,
    max_delay=2.0,
    connect_timeout=2.0,
    read_timeout=1.0,
    write_settle=3.0,
)
FAULTS = ("error_5xx", "rate_limited", "timeout", "drop", "truncate")
#: writes that set a state (sending one twice has the effect of sending it once)
IDEMPOTENT_UPDATES = {
    "assets.metadata",
    "assets.publish",
    "jobs.run",
    "placements.enable",
    "placements.disable",
    "placements.regions",
    "updateWebLink",
}


def _cycle(e: Emulators, lake: Lake, day: date) -> None:
    c = replace(e.consonance_endpoint(wps=1000), policy=POLICY)
    b = replace(e.bytenite_endpoint(wps=1000), policy=POLICY)
    extract_consonance(c, lake, day)
    extract_bytenite_snapshot(b, lake, day)
    extract_bytenite_metrics(b, lake, day, day)
    validate_raw(lake, day)
    build_warehouse(lake, day=day)
    sync_bytenite(b, lake, run_id=f"bytenite-{day}")
    sync_consonance(c, lake, run_id=f"consonance-{day}")


def _pick_changes(e: Emulators) -> dict[str, Any]:
    """Three titles with published, placed video (from the clean world): one to withdraw, one to
    narrow to not-for-sale in the US, one whose asset a person unpublishes."""
    enabled_assets = {
        p["assetId"]
        for p in e.bytenite_list("/v1/customer/placements")
        if p["state"] == "PLACEMENT_STATE_ENABLED"
    }
    by_work: dict[int, list[str]] = {}
    for a in e.bytenite_list("/v1/customer/assets"):
        work = (a.get("labels") or {}).get("consonanceWorkId")
        if work and a["id"] in enabled_assets and a["publishingStatus"].endswith("PUBLISHED"):
            by_work.setdefault(int(work), []).append(a["id"])
    withdrawn, narrowed, unpublished = sorted(by_work)[:3]

    def products(work: int) -> list[int]:
        data = e.graphql(
            "query($s: WorkSearchAttributes){ work(workSearch: $s) { products { id } } }",
            {"s": {"idEq": work}},
        )
        return [p["id"] for p in data["work"]["products"]]

    return {
        "fixtures": {
            "products": [
                *(
                    {"id": p, "overrides": {"onixPublishingStatusCode": "_11"}}
                    for p in products(withdrawn)
                ),
                *(
                    {"id": p, "overrides": {"notForSaleCountryCodes": ["US"]}}
                    for p in products(narrowed)
                ),
            ]
        },
        "unpublish": sorted(by_work[unpublished])[0],
    }


def _change(e: Emulators, changes: dict[str, Any], faults: str) -> None:
    """Move both clocks on a day and make the people's changes (with faults off, then back on)."""
    e.set_faults("none")
    e.set_clock(TODAY2)
    e.consonance_fixtures(changes["fixtures"])
    r = requests.post(
        f"{e.bytenite.url}/v1/customer/assets/{changes['unpublish']}/unpublish",
        headers={"Authorization": e.bytenite_token()},
        json={},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    e.set_faults(faults)


def _stats(e: Emulators) -> dict[str, dict[str, int]]:
    return {
        name: requests.get(server.url + "/_emulator/stats", timeout=10).json()
        for name, server in (("consonance", e.consonance), ("bytenite", e.bytenite))
    }


def _add(a: dict[str, dict[str, int]], b: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {
        system: {k: a[system].get(k, 0) + b[system].get(k, 0) for k in {*a[system], *b[system]}}
        for system in a
    }


class Runs:
    clean: dict[str, Any]
    chaos: dict[str, Any]
    faults: dict[str, dict[str, int]]


def _capture(e: Emulators, root: Path) -> dict[str, Any]:
    """Everything compared, read with faults off (the comparison itself must not be flaky)."""
    e.set_faults("none")
    placements = {
        p["id"]: f"{p['assetId']}|{p['channel']}"
        for p in e.bytenite_list("/v1/customer/placements")
    }
    d2_snapshots = {
        f"bytenite/{entity}/snapshot_on={D2}/data.parquet"
        for entity in ("jobs", "assets", "placements")
    }
    raw = raw_digest(root / "raw", WALL_CLOCK_COLUMNS | REMOTE_WRITE_TIMES, placements)
    exact = lake_digest(root / "raw")
    return {
        "lake_exact": {k: v for k, v in exact.items() if k not in d2_snapshots},
        "lake_d2_snapshots": {k: v for k, v in raw.items() if k in d2_snapshots},
        "warehouse": warehouse_digest(
            root / "warehouse/analytics.duckdb",
            WALL_CLOCK_COLUMNS | REMOTE_WRITE_TIMES,
            placements,
        ),
        "bytenite": bytenite_state(e),
        "consonance": consonance_state(e),
        "bytenite_writes": ok_writes(e, "bytenite"),
        "consonance_writes": ok_writes(e, "consonance"),
        "sync_state": sync_state(root),
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Runs:
    base = tmp_path_factory.mktemp("chaos")
    out = Runs()
    clean = Emulators(seed=SEED, works=WORKS, today=TODAY1)
    chaos = Emulators(seed=SEED, works=WORKS, today=TODAY1, faults="chaos")
    try:
        clean_lake, chaos_lake = Lake(base / "clean"), Lake(base / "chaos")
        _cycle(clean, clean_lake, D1)
        _cycle(chaos, chaos_lake, D1)
        faults = _stats(chaos)
        changes = _pick_changes(clean)
        _change(clean, changes, "none")
        _change(chaos, changes, "chaos")
        _cycle(clean, clean_lake, D2)
        _cycle(chaos, chaos_lake, D2)
        out.faults = _add(faults, _stats(chaos))
        out.clean = _capture(clean, clean_lake.root)
        out.chaos = _capture(chaos, chaos_lake.root)
        yield out
    finally:
        clean.stop()
        chaos.stop()


def test_the_chaos_profile_is_harsh_and_every_fault_happened_on_both_systems(runs: Runs):
    profile = PROFILES["chaos"]
    assert profile.error_5xx >= 0.10 and profile.rate_limited >= 0.05  # and served, below
    assert min(profile.timeout, profile.drop, profile.truncate) > 0
    for system, stats in runs.faults.items():
        assert all(stats.get(kind, 0) > 0 for kind in FAULTS), (system, stats)
    total = {k: sum(s.get(k, 0) for s in runs.faults.values()) for k in ("requests", *FAULTS)}
    assert total["error_5xx"] >= 0.10 * total["requests"], total
    assert total["rate_limited"] >= 0.05 * total["requests"], total
    print("chaos faults injected:", runs.faults)


def test_the_lake_equals_the_clean_runs(runs: Runs):
    assert len(runs.clean["lake_exact"]) == 13  # 8 partitions of D1, 5 of D2
    assert runs.chaos["lake_exact"] == runs.clean["lake_exact"]
    assert len(runs.clean["lake_d2_snapshots"]) == 3
    assert runs.chaos["lake_d2_snapshots"] == runs.clean["lake_d2_snapshots"]


def test_the_warehouse_equals_the_clean_runs(runs: Runs):
    assert len(runs.clean["warehouse"]) > 30
    assert runs.chaos["warehouse"] == runs.clean["warehouse"]


def test_both_systems_end_in_the_clean_runs_state(runs: Runs):
    assert runs.chaos["bytenite"] == runs.clean["bytenite"]
    assert runs.chaos["consonance"] == runs.clean["consonance"]
    assert runs.chaos["sync_state"] == runs.clean["sync_state"]


def test_every_create_was_applied_once_and_no_write_is_missing_or_extra(runs: Runs):
    """Creates are never repeated (a lost answer is resolved by reading back, after the write
    settle time); an update whose answer was lost may be sent again with the same payload (an
    idempotent repeat, same effect), never a different one."""
    for system in ("bytenite", "consonance"):
        clean, chaos = runs.clean[f"{system}_writes"], runs.chaos[f"{system}_writes"]
        assert repeated(clean) == {}
        assert set(chaos) == set(clean), system  # the same writes: none missing, none extra
        repeats = repeated(chaos)
        assert {op for op, _, _ in repeats} <= IDEMPOTENT_UPDATES, repeats
        assert all(n <= 1 + PROFILES["chaos"].max_faults_per_request for n in repeats.values())
        print(f"{system}: idempotent updates sent again after a lost answer:", len(repeats))
    creates = [k for k in runs.chaos["consonance_writes"] if k[0].startswith("create")]
    assert len(creates) > 500  # links and summaries of two days
    assert {k[0] for k in runs.chaos["bytenite_writes"]} >= {"jobs.create", "placements.create"}


def test_a_big_extraction_under_chaos_gives_the_clean_lake_and_warehouse(tmp_path):
    clean = Emulators(seed=SEED, works=4000, today=TODAY1)
    chaos = Emulators(seed=SEED, works=4000, today=TODAY1, faults="chaos")
    try:
        digests = []
        for e, name in ((clean, "clean"), (chaos, "chaos")):
            lake = Lake(tmp_path / name)
            c = replace(e.consonance_endpoint(), policy=POLICY)
            b = replace(e.bytenite_endpoint(), policy=POLICY)
            extract_consonance(c, lake, D1)
            extract_bytenite_snapshot(b, lake, D1)
            extract_bytenite_metrics(b, lake, D1, D1)
            validate_raw(lake, D1)
            build_warehouse(lake, day=D1)
            digests.append(
                (lake_digest(lake.raw), warehouse_digest(lake.root / "warehouse/analytics.duckdb"))
            )
        stats = _stats(chaos)
        for system, s in stats.items():
            assert sum(s.get(kind, 0) for kind in FAULTS) >= 5, (system, s)
        assert len(digests[0][0]) == 8
        assert digests[1] == digests[0]
    finally:
        clean.stop()
        chaos.stop()
