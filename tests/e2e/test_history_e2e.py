"""The first run's history catch-up against the ByteNite emulator (issue 13 §1).

* ``history_days`` on a ``bytenite_extract`` run (``airflow dags test``) catches up its trailing
  window on a lake that already has a day, keeping the dates it holds;
* the catch-up never reaches before ByteNite's first asset (found in the catalogue here);
* it paces its requests under the API's rate limit: the emulator, limited to 4 requests/s per
  token, refuses none of a catch-up paced at 3/s, and does refuse an unpaced one (so the check
  can fail).

What ByteNite serves for each date is read from the emulator's API; dates from the catalogue.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from emulators.catalog import World
from tests.e2e.lakeutil import partition, rows
from tests.harness import Pipeline
from titlevideo.config import Lake
from titlevideo.extract.bytenite import (
    CatchUp,
    catch_up_marker,
    extract_bytenite_metrics,
)

pytestmark = pytest.mark.e2e

SEED, WORKS = 5, 60
TODAY = date(2026, 11, 27)
DAY = date(2026, 11, 26)


def _metric_dates(lake: Lake) -> dict[date, str]:
    base = lake.raw / "bytenite" / "daily_metrics"
    return {
        date.fromisoformat(p.name.split("=")[1]): json.loads((p / "_manifest.json").read_text())[
            "extracted_at"
        ]
        for p in base.glob("metric_date=*")
    }


def _served(emulators, day: date) -> list[tuple]:
    keys = ("assetId", "channel", "country", "views")
    return sorted(
        tuple(m[k] if k != "views" else int(m[k]) for k in keys)
        for m in emulators.bytenite_metrics(day)
    )


def _in_lake(lake: Lake, day: date) -> list[tuple]:
    path = partition(lake.raw, "bytenite", "daily_metrics", day.isoformat())
    return sorted((r["asset_id"], r["channel"], r["country"], r["views"]) for r in rows(path))


def test_the_history_days_param_catches_up_and_keeps_what_the_lake_holds(
    airflow_db, make_emulators, tmp_path
):
    emulators = make_emulators(seed=SEED, works=WORKS, today=TODAY)
    pipeline = Pipeline(airflow_db, emulators, tmp_path / "lake")  # one day of history
    pipeline.dags_test("bytenite_extract", DAY - timedelta(days=1))
    before = _metric_dates(pipeline.lake)
    assert sorted(before) == [DAY - timedelta(days=1)]

    pipeline.dags_test("bytenite_extract", DAY, history_days=4)
    after = _metric_dates(pipeline.lake)
    window = [DAY - timedelta(days=n) for n in (3, 2, 1, 0)]
    assert sorted(after) == window
    assert after[DAY - timedelta(days=1)] == before[DAY - timedelta(days=1)]  # kept, not re-pulled
    for day in window:
        assert _in_lake(pipeline.lake, day) == _served(emulators, day), day
    assert not catch_up_marker(pipeline.lake).exists()


def test_the_catch_up_starts_at_bytenites_first_asset(make_emulators, tmp_path):
    world = World(SEED, WORKS)
    first_asset = min(v.created_on for i in range(WORKS) for v in world.spec(i).legacy_videos)
    day = first_asset + timedelta(days=2)
    emulators = make_emulators(seed=SEED, works=WORKS, today=day + timedelta(days=1))
    lake = Lake(tmp_path / "lake")
    catch_up = CatchUp(day - timedelta(days=9), day, "test")
    extract_bytenite_metrics(emulators.bytenite_endpoint(), lake, day, day, catch_up=catch_up)
    assert sorted(_metric_dates(lake)) == [first_asset + timedelta(days=n) for n in range(3)]
    assert not catch_up_marker(lake).exists()


@pytest.mark.parametrize("paced", [True, False], ids=["paced", "unpaced"])
def test_the_catch_up_stays_under_the_rate_limit(make_emulators, tmp_path, paced):
    emulators = make_emulators(seed=SEED, works=WORKS, today=TODAY, rate_limit=4, rate_burst=4)
    limiter = emulators.bytenite_state.limiter
    refused: list[float] = []
    take = limiter.take

    def counting(key: str) -> float | None:
        wait = take(key)
        if wait is not None:
            refused.append(wait)
        return wait

    limiter.take = counting
    lake = Lake(tmp_path / "lake")
    catch_up = CatchUp(DAY - timedelta(days=11), DAY, "test")
    summaries = extract_bytenite_metrics(
        emulators.bytenite_endpoint(),
        lake,
        DAY,
        DAY,
        catch_up=catch_up,
        requests_per_second=3 if paced else None,
    )
    assert [s["date"] for s in summaries] == [
        (DAY - timedelta(days=n)).isoformat() for n in range(11, -1, -1)
    ]
    assert sum(s["entities"]["daily_metrics"]["written"] for s in summaries) > 0
    if paced:
        assert refused == []
    else:
        assert refused, "an unpaced catch-up of 12 dates should exceed 4 requests/s"
