"""Which history a ``bytenite_extract`` run catches up on (``plan_catch_up``), from the lake alone.

The first run of a deployment (no metric partition outside the run's dates) takes the business
rules' days; the ``history_days`` param asks for its own; a catch-up whose marker is still in the
lake (it was killed) is resumed by whatever run comes next; backfill runs never catch up.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from titlevideo.config import ConfigError, Lake, rules_from_dict
from titlevideo.extract.bytenite import CatchUp, catch_up_marker, plan_catch_up

pytestmark = pytest.mark.unit

DAY = date(2026, 11, 30)


def _partition(lake: Lake, day: date, *, complete: bool = True) -> None:
    d = lake.raw / "bytenite" / "daily_metrics" / f"metric_date={day}"
    d.mkdir(parents=True)
    if complete:
        (d / "data.parquet").write_bytes(b"")
        (d / "_manifest.json").write_text("{}")


def _plan(lake: Lake, first: date = DAY, last: date = DAY, **kw) -> CatchUp | None:
    kw.setdefault("history_days", None)
    kw.setdefault("default_days", 90)
    return plan_catch_up(lake, first, last, **kw)


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake(tmp_path / "lake")


def test_the_first_run_catches_up_the_rules_days_ending_on_its_date(lake):
    plan = _plan(lake)
    assert plan is not None and (plan.first, plan.last, plan.days) == (
        DAY - timedelta(days=89),
        DAY,
        90,
    )
    assert plan.reason.startswith("first run")


def test_in_a_catch_up_the_first_run_s_history_ends_on_the_schedule_s_first_day(lake):
    """The scheduler runs two days of a catch-up at a time: whichever plans first, the history
    starts on the same day (the rules' days before the schedule's first day)."""
    start = DAY - timedelta(days=3)
    plan = _plan(lake, anchor=start)  # a later day of the catch-up ran first
    assert plan is not None and (plan.first, plan.last) == (start - timedelta(days=89), DAY)
    assert plan.reason.startswith("first run")
    own = _plan(lake, start, start, anchor=start)  # the schedule's first day itself
    assert own is not None and (own.first, own.last) == (start - timedelta(days=89), start)


def test_a_partition_of_the_runs_own_date_does_not_make_it_a_later_run(lake):
    _partition(lake, DAY)  # e.g. a first run killed after its own date
    assert _plan(lake) is not None


def test_any_other_metric_date_in_the_lake_means_one_day_only(lake):
    _partition(lake, DAY - timedelta(days=1))
    assert _plan(lake) is None


def test_the_history_days_param_asks_for_its_window_whatever_the_lake(lake):
    _partition(lake, DAY - timedelta(days=1))
    plan = _plan(lake, history_days=7)
    assert (plan.first, plan.last, plan.reason) == (
        DAY - timedelta(days=6),
        DAY,
        "history_days=7",
    )


def test_a_backfill_run_never_catches_up(lake):
    assert _plan(lake, backfill=True) is None
    assert _plan(lake, backfill=True, history_days=7) is None


def test_an_unfinished_catch_up_is_resumed_by_the_next_run(lake):
    _partition(lake, date(2026, 9, 5))
    marker = catch_up_marker(lake)
    marker.write_text(
        json.dumps({"first": "2026-09-02", "last": "2026-11-29", "reason": "first run"})
    )
    # the next day's run: not a first run any more, but the catch-up was never finished
    plan = _plan(lake, DAY, DAY)
    assert (plan.first, plan.last) == (date(2026, 9, 2), date(2026, 11, 29))
    assert plan.reason == "resuming the unfinished catch-up 2026-09-02..2026-11-29"
    # joined with what the run asks for itself
    plan = _plan(lake, DAY, DAY, history_days=3)
    assert (plan.first, plan.last) == (date(2026, 9, 2), DAY)
    assert plan.reason.startswith("history_days=3; resuming")


def test_history_days_come_from_the_business_rules_and_are_checked():
    assert rules_from_dict({"history": {"days": 30}}).history_days == 30
    assert rules_from_dict({}).history_days == 90
    with pytest.raises(ConfigError, match="history.days"):
        rules_from_dict({"history": {"days": 0}})
    with pytest.raises(ConfigError, match="unknown key"):
        rules_from_dict({"history": {"day": 3}})
