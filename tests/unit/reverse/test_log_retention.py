"""Per-call log retention of the sync state (``sync.log_retention_days``): the logs of old runs go,
the per-row state stays."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from titlevideo.config import ConfigError, Rules, rules_from_dict
from titlevideo.reverse.state import StateStore

pytestmark = pytest.mark.unit


def _counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("sync_log", "sync_plan", "sync_runs", "sync_state")
        }
    finally:
        con.close()


def test_prune_deletes_the_logs_of_runs_before_the_day_and_keeps_the_row_state(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sync.sqlite"
    store = StateStore(path)
    runs = {
        "bytenite_sync:2026-01-10:20260111T000000:aaaaaa": "old",
        "consonance_sync:2026-03-31:20260401T000000:bbbbbb": "kept (the day itself)",
        "bytenite_sync:2026-04-05:20260406T000000:cccccc": "new",
        "run": "not a dated run id: never pruned",
    }
    for i, run_id in enumerate(runs):
        store.start_run(run_id, "t", False, {"create": 1}, [(f"k{i}", "create", None, {"v": i})])
        store.log_call(run_id, "t", f"k{i}", "create", "create thing", True, None)
        store.finish_run(run_id, "t", {"calls": 1})
        store.record_success("t", f"k{i}", f"h{i}", {"v": i}, f"r{i}")
    assert _counts(path) == {"sync_log": 4, "sync_plan": 4, "sync_runs": 4, "sync_state": 4}
    assert store.prune_logs("2026-03-31") == 3  # one row in each log table
    con = sqlite3.connect(path)
    left = {r[0] for r in con.execute("select run_id from sync_log")}
    con.close()
    assert left == set(list(runs)[1:])
    assert _counts(path) == {"sync_log": 3, "sync_plan": 3, "sync_runs": 3, "sync_state": 4}
    assert set(store.load("t")) == {"k0", "k1", "k2", "k3"}  # per-row history kept
    store.close()


def test_the_retention_is_a_business_rule_of_at_least_a_day() -> None:
    assert Rules().log_retention_days == 90
    assert rules_from_dict({"sync": {"log_retention_days": 7}}).log_retention_days == 7
    with pytest.raises(ConfigError, match="sync.log_retention_days must be >= 1"):
        rules_from_dict({"sync": {"log_retention_days": 0}})
