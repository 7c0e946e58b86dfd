"""Issues 6-7 under faults: a daily cycle against flaky APIs ends in the same remote state as a clean one."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

import pytest
import requests

from tests.harness import Emulators, bytenite_state, consonance_state
from titlevideo.config import Lake
from titlevideo.extract.bytenite import extract_bytenite_metrics, extract_bytenite_snapshot
from titlevideo.extract.consonance import extract_consonance
from titlevideo.reverse.targets.bytenite import sync_bytenite
from titlevideo.reverse.targets.consonance import sync_consonance
from titlevideo.transport import RetryPolicy
from titlevideo.warehouse import build_warehouse

pytestmark = pytest.mark.e2e

SEED, WORKS = 5, 250
TODAY = date(2026, 11, 27)
DAY = date(2026, 11, 26)
POLICY = RetryPolicy(max_attempts=6, base_delay=0.05, max_delay=2.0)


def _cycle(e: Emulators, lake: Lake, run: str) -> None:
    c = replace(e.consonance_endpoint(wps=1000), policy=POLICY)
    b = replace(e.bytenite_endpoint(wps=1000), policy=POLICY)
    extract_consonance(c, lake, DAY)
    extract_bytenite_snapshot(b, lake, DAY)
    extract_bytenite_metrics(b, lake, DAY, DAY)
    build_warehouse(lake, day=DAY)
    sync_bytenite(b, lake, run_id=f"bytenite-{run}")
    sync_consonance(c, lake, run_id=f"consonance-{run}")


def test_a_flaky_cycle_ends_in_the_same_remote_state_as_a_clean_one(tmp_path):
    clean = Emulators(seed=SEED, works=WORKS, today=TODAY)
    flaky = Emulators(seed=SEED, works=WORKS, today=TODAY, faults="flaky")
    try:
        _cycle(clean, Lake(tmp_path / "clean"), "1")
        _cycle(flaky, Lake(tmp_path / "flaky"), "1")
        stats = [
            requests.get(s.url + "/_emulator/stats", timeout=10).json()
            for s in (flaky.consonance, flaky.bytenite)
        ]
        assert all(
            sum(v for k, v in st.items() if k not in ("requests", "slow")) > 0 for st in stats
        ), stats
        # read the end states with faults off (the comparison itself must not be flaky)
        flaky.set_faults("none")
        assert bytenite_state(flaky) == bytenite_state(clean)
        clean_c, flaky_c = consonance_state(clean), consonance_state(flaky)
        assert sum(clean_c["links"].values()) > 100 and sum(clean_c["texts"].values()) > 20
        assert flaky_c == clean_c  # no duplicate link or summary, none missing
        # and nothing was written twice: the flaky world's write log has no duplicate creates
        creates = Counter(
            (w["payload"].get("productId"), w["payload"].get("link"))
            for w in flaky.writes("consonance")
            if w["operation"] == "createWebLink" and w["outcome"] == "ok"
        )
        assert max(creates.values()) == 1
    finally:
        clean.stop()
        flaky.stop()
