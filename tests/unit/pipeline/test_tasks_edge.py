"""The Airflow edge (titlevideo.dagkit, reverse/task.py): what bytenite_sync hands to consonance_sync."""

from __future__ import annotations

from datetime import date

import pytest
from airflow.sdk.exceptions import AirflowSkipException

from titlevideo import dagkit
from titlevideo.reverse import task as tasks

pytestmark = pytest.mark.unit


class _Event:
    extra: dict | None = None


class _Events(dict):
    def __missing__(self, key):
        self[key] = _Event()
        return self[key]


def test_a_real_sync_announces_its_date_for_consonance_sync():
    events = _Events()
    context = {"params": {"date": "2026-11-26", "dry_run": False}, "outlet_events": events}
    assert tasks.bytenite_synced(context) == "2026-11-26"
    asset = dagkit.assets()[dagkit.BYTENITE_SYNCED]
    assert events[asset].extra == {"date": "2026-11-26"}
    # and consonance_sync, triggered by that event, works on the same day
    event = _Event()
    event.extra = events[asset].extra
    assert dagkit.resolve_day({"triggering_asset_events": {asset: [event]}}) == date(2026, 11, 26)


def test_a_dry_run_is_skipped_and_emits_nothing():
    events = _Events()
    context = {"params": {"date": "2026-11-26", "dry_run": True}, "outlet_events": events}
    with pytest.raises(AirflowSkipException, match="dry run"):
        tasks.bytenite_synced(context)
    assert events == {}
