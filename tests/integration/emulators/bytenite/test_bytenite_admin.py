"""Admin surface: fixtures (malformed records on the wire as given), the write log, faults, reset."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from bytenite_helpers import CUSTOMER, Emulator

pytestmark = pytest.mark.integration

DAY = "2026-08-12"


def test_fixtures_appear_on_the_wire_as_given(bn: Emulator) -> None:
    broken_asset = {
        "id": "not-a-uuid",
        "publishingStatus": "PUBLISHING_STATUS_LIVE",
        "durationSeconds": "long",
    }
    shadow_id = str(uuid.uuid4())
    asset = {
        "id": shadow_id,
        "jobId": "j-1",
        "title": None,
        "publishingStatus": "PUBLISHING_STATUS_PUBLISHED",
        "labels": {"isbn13": 9781900000107},
    }
    placement = {
        "id": "p-1",
        "assetId": shadow_id,
        "channel": "PLACEMENT_CHANNEL_MYSPACE",
        "state": "PLACEMENT_STATE_ENABLED",
        "regions": "everywhere",
    }
    rows = [
        {
            "date": DAY,
            "assetId": shadow_id,
            "channel": "PLACEMENT_CHANNEL_YOUTUBE",
            "country": "GB",
            "views": "-5",
            "completionRate": 1.7,
        },
        {
            "date": DAY,
            "assetId": shadow_id,
            "channel": "PLACEMENT_CHANNEL_YOUTUBE",
            "country": "GB",
            "views": "-5",
            "completionRate": 1.7,
        },
        {"date": "12/08/2026", "_serveOn": DAY, "assetId": shadow_id, "views": 3},
        {"_serveOn": DAY, "channel": "PLACEMENT_CHANNEL_X"},
    ]
    assert bn.admin(
        "POST",
        "fixtures",
        {"assets": [broken_asset, asset], "placements": [placement], "metrics": rows},
    ) == {
        "ok": True,
        "assets": 2,
        "placements": 1,
        "metrics": 4,
    }
    # assets: appended to lists, returned by id, filtered by their own fields
    everything = bn.pages(f"{CUSTOMER}/assets")
    assert everything[-2:] == [broken_asset, asset]
    assert bn.ok("GET", f"{CUSTOMER}/assets/not-a-uuid")["asset"] == broken_asset
    assert bn.ok("GET", f"{CUSTOMER}/assets/{shadow_id}")["asset"] == asset
    assert (
        bn.pages(f"{CUSTOMER}/assets", {"publishingStatus": "PUBLISHING_STATUS_PUBLISHED"})[-1]
        == asset
    )
    assert broken_asset not in bn.pages(
        f"{CUSTOMER}/assets", {"publishingStatus": "PUBLISHING_STATUS_PUBLISHED"}
    )
    # placements
    assert bn.ok("GET", f"{CUSTOMER}/placements/p-1")["placement"] == placement
    assert bn.ok("GET", f"{CUSTOMER}/placements", params={"assetId": shadow_id})["data"] == [
        placement
    ]
    # metrics: after the day's generated rows, as given (the duplicate stays a duplicate)
    served = bn.daily(date.fromisoformat(DAY))
    assert served[-4:] == [
        rows[0],
        rows[1],
        {k: v for k, v in rows[2].items() if k != "_serveOn"},
        {"channel": "PLACEMENT_CHANNEL_X"},
    ]
    filtered = bn.daily(date.fromisoformat(DAY), assetIds=[shadow_id])
    assert filtered == [rows[0], rows[1], {k: v for k, v in rows[2].items() if k != "_serveOn"}]
    # fixtures are read-only
    r = bn.call("POST", f"{CUSTOMER}/assets/{shadow_id}/publish")
    assert (r.status_code, r.json()["ok"]) == (400, False)
    assert "fixture" in r.json()["message"]
    # replace, then reset
    bn.admin("POST", "fixtures", {"assets": [asset], "replace": True})
    assert bn.call("GET", f"{CUSTOMER}/assets/not-a-uuid").status_code == 404
    bn.admin("POST", "reset")
    assert bn.call("GET", f"{CUSTOMER}/assets/{shadow_id}").status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {"assets": {"id": "x"}},
        {"metrics": [{"views": 1}]},
        {"metrics": [{"date": "soon"}]},
        {"metrics": ["row"]},
        {"things": []},
    ],
)
def test_bad_fixture_payloads(bn: Emulator, payload: dict) -> None:
    r = bn.http.post(f"{bn.url}/_emulator/fixtures", json=payload, timeout=10)
    assert r.status_code == 400
    assert r.json()["error"].startswith("bad fixture")


def test_write_log_and_health(bn: Emulator) -> None:
    health = bn.admin("GET", "health")
    assert (health["emulator"], health["seed"], health["works"], health["today"]) == (
        "bytenite",
        42,
        400,
        "2026-11-27",
    )
    job = bn.ok(
        "POST", f"{CUSTOMER}/jobs", json={"templateId": "hello-world-template", "name": "logged"}
    )["job"]
    bn.call("POST", f"{CUSTOMER}/jobs", json={"templateId": "nope"})
    bn.call("GET", f"{CUSTOMER}/jobs")  # reads are not logged
    bn.call(
        "POST", f"{CUSTOMER}/jobs", json={"templateId": "nope"}, headers={"Authorization": "bad"}
    )  # nor unauthenticated calls
    log = bn.writes()
    assert [(w["seq"], w["operation"], w["outcome"], w["status"]) for w in log] == [
        (1, "jobs.create", "ok", 200),
        (2, "jobs.create", "error", 404),
    ]
    assert log[0]["target"] == {"jobId": job["id"]}
    assert log[0]["payload"] == {"templateId": "hello-world-template", "name": "logged"}
    assert log[0]["today"] == "2026-11-27"
    assert log[1]["error"] == "template nope not found"
    assert bn.admin("GET", "writes?since=1") == log[1:]


def test_fault_injection(bn: Emulator) -> None:
    bn.admin(
        "POST",
        "faults",
        {
            "profile": "chaos",
            "overrides": {
                "error_5xx": 1.0,
                "rate_limited": 0.0,
                "slow": 0.0,
                "timeout": 0.0,
                "drop": 0.0,
                "truncate": 0.0,
            },
        },
    )
    try:
        r = bn.call("GET", f"{CUSTOMER}/info")
        assert r.status_code in (500, 502, 503)
        assert r.json()["code"] in (13, 14) and r.json()["details"] == []
    finally:
        bn.admin("POST", "faults", {"profile": "none"})
    assert bn.call("GET", f"{CUSTOMER}/info").status_code == 200
