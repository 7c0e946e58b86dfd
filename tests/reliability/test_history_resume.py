"""A killed history catch-up, rerun, gives the lake of a catch-up that was never killed.

The metrics task of a first ``bytenite_extract`` run (``driver.py bytenite_metrics_run``, business
rules with a six-day history) is killed by SIGKILL at a failpoint: while it lies dead every
visible partition is a complete one of the clean run, and its marker says a catch-up is
unfinished (unless the kill came before the marker was written, when the lake is as before). The
rerun ends with the clean run's content hashes and no marker, and it did not pull again the
dates the killed run had committed (only the run's own date is always pulled again).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.lakeutil import lake_digest
from tests.harness import Emulators, run_step, step_env

pytestmark = pytest.mark.e2e
long = pytest.mark.long

SEED, WORKS = 5, 250
D1, TODAY1 = date(2026, 11, 26), date(2026, 11, 27)
HISTORY_DAYS = 6
DATES = [D1 - timedelta(days=n) for n in range(HISTORY_DAYS - 1, -1, -1)]
MARKER = Path("raw/bytenite/daily_metrics/_catch_up.json")

CASES = [
    "extract.metrics.page@3",
    pytest.param("lake.json.before_rename@1", marks=long),  # the marker itself
    pytest.param("extract.commit.before_manifest@4", marks=long),
    pytest.param("lake.partition.before_rename@5", marks=long),
]


def _extracted_at(lake: Path) -> dict[date, str]:
    out = {}
    for manifest in (lake / "raw/bytenite/daily_metrics").glob("metric_date=*/_manifest.json"):
        day = date.fromisoformat(manifest.parent.name.split("=")[1])
        out[day] = json.loads(manifest.read_text())["extracted_at"]
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("history")
    rules = base / "rules.yaml"
    rules.write_text(f"version: 1\nhistory:\n  days: {HISTORY_DAYS}\n")
    emulators = Emulators(seed=SEED, works=WORKS, today=TODAY1)
    try:
        clean = base / "clean"
        run_step(
            "bytenite_metrics_run", D1, step_env(emulators, clean, TITLEVIDEO_RULES=str(rules))
        )
        digest = lake_digest(clean / "raw")
        assert sorted(_extracted_at(clean)) == DATES and len(digest) == HISTORY_DAYS
        assert not (clean / MARKER).exists()
        yield emulators, rules, digest
    finally:
        emulators.stop()


@pytest.mark.parametrize("failpoint", CASES)
def test_a_killed_catch_up_is_resumed_to_the_same_lake(world, tmp_path, failpoint):
    emulators, rules, clean = world
    lake = tmp_path / "lake"
    env = step_env(emulators, lake, TITLEVIDEO_RULES=str(rules))
    run_step("bytenite_metrics_run", D1, env, failpoint=failpoint)

    visible = lake_digest(lake / "raw") if (lake / "raw").exists() else {}
    assert all(clean[path] == digest for path, digest in visible.items())
    assert len(visible) < HISTORY_DAYS
    assert (lake / MARKER).exists() == (failpoint != "lake.json.before_rename@1")
    committed = _extracted_at(lake)

    run_step("bytenite_metrics_run", D1, env)
    assert lake_digest(lake / "raw") == clean
    assert not (lake / MARKER).exists()
    resumed = _extracted_at(lake)
    assert sorted(resumed) == DATES
    kept = [d for d in committed if d != D1]
    assert all(resumed[d] == committed[d] for d in kept)
    if failpoint == "extract.metrics.page@3":
        assert kept  # the case really resumed something
