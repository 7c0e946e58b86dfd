"""Issue 4 end to end: the extract DAGs against the emulators, faults, crashes and reruns."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import requests

from emulators.catalog import World
from tests.e2e.lakeutil import lake_digest, partition, rows
from tests.harness import ROOT, Pipeline
from titlevideo.config import Lake
from titlevideo.extract.bytenite import extract_bytenite_metrics, extract_bytenite_snapshot
from titlevideo.extract.consonance import extract_consonance
from titlevideo.transport import RetryPolicy

pytestmark = pytest.mark.e2e

SEED, WORKS = 11, 300
TODAY = date(2026, 11, 27)
DAY = date(2026, 11, 26)


def _catalogue_counts(today: date) -> tuple[set[int], set[int]]:
    """Works and products that exist on ``today``, straight from the catalogue (not the API)."""
    world = World(SEED, WORKS)
    works, products = set(), set()
    for i in range(world.works_created_by(today)):
        spec = world.spec(i)
        works.add(spec.id)
        products.update(p.id for p in spec.products if p.created_on <= today)
    return works, products


def test_extract_dags_write_the_expected_partitions(airflow_db, make_emulators, tmp_path):
    emulators = make_emulators(seed=SEED, works=WORKS, today=TODAY)
    pipeline = Pipeline(airflow_db, emulators, tmp_path / "lake")
    pipeline.dags_test("consonance_extract", DAY)
    pipeline.dags_test("bytenite_extract", DAY)
    raw = pipeline.lake.raw

    expected_works, expected_products = _catalogue_counts(TODAY)
    work_ids = [r["work_id"] for r in rows(partition(raw, "consonance", "works", DAY.isoformat()))]
    assert len(work_ids) == len(set(work_ids)) == len(expected_works)  # every work exactly once
    assert set(work_ids) == expected_works
    product_ids = [
        r["product_id"] for r in rows(partition(raw, "consonance", "products", DAY.isoformat()))
    ]
    assert sorted(product_ids) == sorted(expected_products)

    # ByteNite: the snapshot holds every listed object, the day's metrics every row of the day
    for entity, path in (
        ("assets", "/v1/customer/assets"),
        ("placements", "/v1/customer/placements"),
        ("jobs", "/v1/customer/jobs"),
    ):
        listed = {o["id"] for o in emulators.bytenite_list(path)}
        key = {"assets": "asset_id", "placements": "placement_id", "jobs": "job_id"}[entity]
        got = [r[key] for r in rows(partition(raw, "bytenite", entity, DAY.isoformat()))]
        assert len(got) == len(set(got)) and set(got) == listed, entity
    served = emulators.bytenite_metrics(DAY)
    lake_metrics = rows(partition(raw, "bytenite", "daily_metrics", DAY.isoformat()))
    assert len(lake_metrics) == len(served) > 0
    assert sum(r["views"] for r in lake_metrics) == sum(int(m["views"]) for m in served)

    summary = pipeline.report(DAY, "consonance_extract")
    assert summary["data"]["mode"] == "full"  # the first run pulls the whole catalogue
    assert summary["data"]["entities"]["works"]["written"] == len(expected_works)


def _extract_all(emulators, lake: Lake) -> None:
    policy = RetryPolicy(max_attempts=6, base_delay=0.05, max_delay=2.0)
    c = emulators.consonance_endpoint()
    b = emulators.bytenite_endpoint()
    from dataclasses import replace

    extract_consonance(replace(c, policy=policy), lake, DAY)
    extract_bytenite_snapshot(replace(b, policy=policy), lake, DAY)
    extract_bytenite_metrics(replace(b, policy=policy), lake, DAY, DAY)


def test_flaky_apis_give_the_same_lake_as_clean_ones(make_emulators, tmp_path):
    # a bigger world: enough requests that the flaky profile's shares bite on both APIs
    clean = make_emulators(seed=SEED, works=1500, today=TODAY)
    flaky = make_emulators(seed=SEED, works=1500, today=TODAY, faults="flaky")
    _extract_all(clean, Lake(tmp_path / "clean"))
    _extract_all(flaky, Lake(tmp_path / "flaky"))
    stats = {**requests.get(flaky.consonance.url + "/_emulator/stats").json()}
    b_stats = requests.get(flaky.bytenite.url + "/_emulator/stats").json()
    faults = sum(v for k, v in stats.items() if k not in ("requests", "slow"))
    b_faults = sum(v for k, v in b_stats.items() if k not in ("requests", "slow"))
    assert faults > 0 and b_faults > 0, (stats, b_stats)  # failures really happened on both sides
    clean_digest = lake_digest(tmp_path / "clean" / "raw")
    assert len(clean_digest) == 8
    # jobs/assets/placements are identical objects; placement ids and metrics too
    assert lake_digest(tmp_path / "flaky" / "raw") == clean_digest


_CHILD = """
import sys
from datetime import date
from pathlib import Path
from titlevideo.config import Lake
from titlevideo.connections import Endpoint
from titlevideo.extract.consonance import extract_consonance
endpoint = Endpoint("consonance_default", sys.argv[1], sys.argv[2])
extract_consonance(endpoint, Lake(Path(sys.argv[3])), date.fromisoformat(sys.argv[4]), mode=sys.argv[5])
"""


def _run_child(url: str, key: str, lake_root: Path, mode: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, url, key, str(lake_root), DAY.isoformat(), mode],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_killed_extraction_leaves_no_partial_partition_and_the_rerun_completes(
    make_emulators, tmp_path
):
    from emulators.consonance import DEFAULT_API_KEY

    # slow pages, so the kill lands mid-extraction
    emulators = make_emulators(seed=SEED, works=WORKS, today=TODAY)
    url = emulators.consonance.url
    lake_root = tmp_path / "lake"
    works_file = partition(lake_root / "raw", "consonance", "works", DAY.isoformat())

    assert _run_child(url, DEFAULT_API_KEY, lake_root, "full").wait(120) == 0
    before = lake_digest(lake_root / "raw")
    before_bytes = works_file.read_bytes()

    requests.post(
        url + "/_emulator/faults",
        json={
            "profile": "flaky",
            "overrides": {
                "slow": 1.0,
                "error_5xx": 0,
                "rate_limited": 0,
                "drop": 0,
                "truncate": 0,
                "slow_seconds": 0.3,
            },
        },
    )
    child = _run_child(url, DEFAULT_API_KEY, lake_root, "full")
    deadline = time.monotonic() + 60
    while not list(works_file.parent.glob(".*.tmp-*")):  # the writer is mid-way
        assert time.monotonic() < deadline and child.poll() is None, (
            "extraction never started writing"
        )
        time.sleep(0.01)
    time.sleep(0.5)  # a page or two later
    child.send_signal(signal.SIGKILL)
    child.wait(30)

    # nothing partial is visible: the partition is the old one, byte for byte
    assert works_file.read_bytes() == before_bytes
    assert lake_digest(lake_root / "raw") == before
    assert list(works_file.parent.glob("*.parquet")) == [works_file]

    requests.post(url + "/_emulator/faults", json={"profile": "none"})
    assert _run_child(url, DEFAULT_API_KEY, lake_root, "full").wait(120) == 0
    assert lake_digest(lake_root / "raw") == before  # the rerun completed the same content
    assert not list(works_file.parent.glob(".*.tmp-*"))  # and cleared the killed writer's temp file


def test_rerunning_a_day_changes_nothing(make_emulators, tmp_path):
    emulators = make_emulators(seed=SEED, works=WORKS, today=TODAY)
    lake = Lake(tmp_path / "lake")
    _extract_all(emulators, lake)
    first = lake_digest(lake.raw)
    _extract_all(emulators, lake)
    assert lake_digest(lake.raw) == first
    # one file per partition: a rerun replaced, never appended
    assert all(
        len(list(p.parent.glob("*.parquet"))) == 1 for p in lake.raw.glob("*/*/*=*/data.parquet")
    )
