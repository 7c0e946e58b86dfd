"""Extension: daily analytics respect placements, regions, publication and the date of writes."""

from __future__ import annotations

import math
import time
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from bytenite_helpers import (
    CUSTOMER,
    TODAY,
    Emulator,
    countries_of,
    expected_regions,
    legacy_videos,
)

from emulators.catalog import at

pytestmark = pytest.mark.integration

DAY = date(2026, 8, 12)  # a recent day with many live legacy placements
Key = tuple[str, str, str]


def expected_keys(world, day: date) -> set[Key]:
    """(asset, channel, country) that may earn views on ``day``, from the catalogue alone."""
    keys: set[Key] = set()
    for i, _, v in legacy_videos(world, day):
        if v.published_on is None or v.published_on > day:
            continue
        if v.unpublished_on is not None and v.unpublished_on <= day:
            continue
        countries = countries_of(expected_regions(world, i, v))
        keys |= {
            (v.asset_id, f"PLACEMENT_CHANNEL_{c}", country)
            for c in v.channels
            for country in countries
        }
    return keys


def keys_of(rows: list[dict[str, Any]]) -> list[Key]:
    return [(r["assetId"], r["channel"], r["country"]) for r in rows]


def test_rows_match_placements_and_regions_exactly(bn: Emulator, world) -> None:
    expected = expected_keys(world, DAY)
    every = bn.daily(DAY, includeZeroRows=True)
    assert len(every) == len(set(keys_of(every)))
    assert set(keys_of(every)) == expected
    with_views = bn.daily(DAY)
    assert set(keys_of(with_views)) == {
        k for k, r in zip(keys_of(every), every, strict=True) if r["views"] != "0"
    }
    assert {int(r["views"]) for r in with_views} and min(int(r["views"]) for r in with_views) >= 1
    # realism the pipeline must report: "world" placements of titles not for sale everywhere
    not_for_sale = set()
    for i, _, v in legacy_videos(world, DAY):
        if v.region_mode != "world" or v.published_on is None or v.published_on > DAY:
            continue
        product = world.spec(i).products[v.audio_product_k if v.audio_product_k is not None else 0]
        rights = at(product.rights, DAY)
        not_for_sale |= {
            k for k in expected if k[0] == v.asset_id and k[2] != "ZZ" and not rights.allows(k[2])
        }
    assert not_for_sale
    assert not_for_sale <= set(keys_of(every))


def test_writes_take_effect_from_their_date(bn: Emulator, world) -> None:
    """Disable, re-region and unpublish on day T, publish a new asset's placement on T+1:
    T-1 is untouched, T and T+1 follow the writes, computed independently."""
    t = DAY
    bn.set_today(t)
    before = {d: bn.daily(d, includeZeroRows=True) for d in (t - timedelta(days=1), t)}
    live = [
        (i, v)
        for i, _, v in legacy_videos(world, t)
        if v.published_on
        and v.published_on <= t
        and not (v.unpublished_on and v.unpublished_on <= t + timedelta(days=1))
    ]
    (i1, v1), (_, v2), (_, v3) = live[0], live[1], live[2]
    placements = {(p["assetId"], p["channel"]): p for p in bn.pages(f"{CUSTOMER}/placements")}
    ch1 = f"PLACEMENT_CHANNEL_{v1.channels[0]}"
    ch2 = f"PLACEMENT_CHANNEL_{v2.channels[0]}"
    bn.ok("POST", f"{CUSTOMER}/placements/{placements[(v1.asset_id, ch1)]['id']}/disable")
    bn.ok(
        "PATCH",
        f"{CUSTOMER}/placements/{placements[(v2.asset_id, ch2)]['id']}/regions",
        json={"regions": {"whitelist": ["GB", "US", "FR"], "blacklist": ["US"]}},
    )
    bn.ok("POST", f"{CUSTOMER}/assets/{v3.asset_id}/unpublish")
    # a pipeline-made asset, published and placed the next day
    jid = bn.ok(
        "POST",
        f"{CUSTOMER}/jobs",
        json={"templateId": "video-transcoding@v0.2", "labels": {"isbn13": world.isbn13(i1, 0)}},
    )["job"]["id"]
    bn.ok("POST", f"{CUSTOMER}/jobs/{jid}/run")
    deadline = time.monotonic() + 5
    while bn.ok("GET", f"{CUSTOMER}/jobs/{jid}")["job"]["state"] != "JOB_STATE_COMPLETE":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    new_asset = str(uuid.uuid5(uuid.UUID(jid), "asset"))
    bn.set_today(t + timedelta(days=1))
    bn.ok("POST", f"{CUSTOMER}/assets/{new_asset}/publish")
    bn.ok(
        "POST",
        f"{CUSTOMER}/assets/{new_asset}/placements",
        json={"channel": "PLACEMENT_CHANNEL_INSTAGRAM", "regions": {"blacklist": ["CA"]}},
    )

    # the day before the writes: byte-for-byte the same rows
    assert bn.daily(t - timedelta(days=1), includeZeroRows=True) == before[t - timedelta(days=1)]
    # T and T+1: the seeded expectation, adjusted by the test's own writes
    for day in (t, t + timedelta(days=1)):
        exp = expected_keys(world, day)
        exp = {k for k in exp if not (k[0] == v1.asset_id and k[1] == ch1)}
        exp = {k for k in exp if not (k[0] == v2.asset_id and k[1] == ch2)} | {
            (v2.asset_id, ch2, "GB"),
            (v2.asset_id, ch2, "FR"),
        }
        exp = {k for k in exp if k[0] != v3.asset_id}
        if day > t:
            everywhere = countries_of({"whitelist": [], "blacklist": ["CA"]})
            exp |= {(new_asset, "PLACEMENT_CHANNEL_INSTAGRAM", c) for c in everywhere}
        rows = bn.daily(day, includeZeroRows=True)
        assert set(keys_of(rows)) == exp, day
    # rows that no write touched keep their values on T
    untouched = {v1.asset_id, v2.asset_id, v3.asset_id}
    after_t = {
        k: r
        for k, r in zip(
            keys_of(bn.daily(t, includeZeroRows=True)),
            bn.daily(t, includeZeroRows=True),
            strict=True,
        )
    }
    for k, r in zip(keys_of(before[t]), before[t], strict=True):
        if k[0] not in untouched:
            assert after_t[k] == r
    # the unpublished asset's placements were all force-disabled on T
    states = {
        p["channel"]: p["state"]
        for p in bn.pages(f"{CUSTOMER}/placements", {"assetId": v3.asset_id})
    }
    assert set(states.values()) == {"PLACEMENT_STATE_DISABLED"}
    assert len(states) == len(v3.channels)


def test_a_day_is_served_completely_and_consistently(bn: Emulator) -> None:
    big = bn.daily(DAY, limit=1000)
    small = bn.daily(DAY, limit=137)
    assert big == small
    keys = keys_of(big)
    assert len(keys) == len(set(keys))
    assert keys == sorted(keys)
    assert 500 <= len(big) <= 5000  # a 400-work world; ~7k-9k a day at 2,000 works
    # a range is the days in order (or reversed), each in key order
    days = bn.daily(DAY - timedelta(days=2), DAY, limit=500)
    assert [r["date"] for r in days] == sorted(r["date"] for r in days)
    assert [r for r in days if r["date"] == DAY.isoformat()] == big
    back = bn.daily(DAY - timedelta(days=2), DAY, limit=500, orderBy="-date")
    assert sorted({r["date"] for r in back}, reverse=True) == list(
        dict.fromkeys(r["date"] for r in back)
    )
    assert sorted(keys_of(back)) == sorted(keys_of(days))
    # deterministic: a second emulator with the same seed serves the same numbers
    assert bn.daily(DAY) == big


def test_same_seed_same_numbers(bn: Emulator, start_emulator) -> None:
    _, server = start_emulator()
    other = Emulator(server.url)
    other.login()
    nobody = [str(uuid.uuid4())]  # an empty list would be no filter (protobuf's rule)
    assert other.daily(DAY, assetIds=nobody) == bn.daily(DAY, assetIds=nobody) == []
    assert other.daily(DAY) == bn.daily(DAY)


def test_row_invariants(bn: Emulator, world) -> None:
    durations = {a["id"]: a["durationSeconds"] for a in bn.pages(f"{CUSTOMER}/assets")}
    rows = bn.daily(DAY - timedelta(days=3), DAY)
    assert rows
    for r in rows:
        views = int(r["views"])
        assert 1 <= int(r["uniqueViewers"]) <= views
        assert 0 < r["avgViewDurationSeconds"] <= durations[r["assetId"]]
        assert int(r["watchTimeSeconds"]) == math.floor(
            views * round(r["avgViewDurationSeconds"] * 100) / 100
        )
        assert 0 <= r["completionRate"] <= 1
        engaged = int(r["likes"]) + int(r["comments"]) + int(r["shares"])
        assert r["engagementRate"] == math.floor(engaged * 10000 / views) / 10000
        assert all(int(r[k]) >= 0 for k in ("likes", "comments", "shares"))


def test_launch_curve(bn: Emulator, world) -> None:
    """Views peak around the title's launch and fade to a long tail a year later."""
    launches = []
    for i, _, v in legacy_videos(world, date(2025, 6, 1)):
        spec = world.spec(i)
        if (
            v.deliverable != "TRAILER"
            or v.unpublished_on
            or spec.tier[0][1].id != 1
            or v.published_on is None
        ):
            continue
        launch = min(p.pub_date[-1][1] for p in spec.products if not p.form.audio)
        if v.published_on <= launch - timedelta(days=7) and launch + timedelta(days=372) <= TODAY:
            launches.append((v.asset_id, launch))
    assert len(launches) >= 3
    for asset_id, launch in launches[:3]:

        def views(first: date, aid: str = asset_id) -> int:
            q = {
                "assetId": aid,
                "from": first.isoformat(),
                "to": (first + timedelta(days=6)).isoformat(),
            }
            return int(bn.ok("GET", f"{CUSTOMER}/analytics/summary", params=q)["totals"]["views"])

        at_launch = views(launch - timedelta(days=3))
        assert at_launch > 5 * views(launch + timedelta(days=365)) > 0


def test_summary_matches_daily_rows(bn: Emulator, world) -> None:
    first, last = DAY - timedelta(days=6), DAY
    aid = max(((r["assetId"], int(r["views"])) for r in bn.daily(DAY)), key=lambda x: x[1])[0]
    rows = bn.daily(first, last, assetIds=[aid])
    assert {r["assetId"] for r in rows} == {aid}
    for group, field in (
        ("ANALYTICS_DIMENSION_DATE", "date"),
        ("ANALYTICS_DIMENSION_CHANNEL", "channel"),
        ("ANALYTICS_DIMENSION_COUNTRY", "country"),
    ):
        got = bn.ok(
            "GET",
            f"{CUSTOMER}/analytics/summary",
            params={
                "assetId": aid,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "groupBy": group,
            },
        )
        want: dict[str, list[int]] = {}
        for r in rows:
            v = want.setdefault(r[field], [0, 0, 0, 0])
            views = int(r["views"])
            v[0] += views
            v[1] += int(r["watchTimeSeconds"])
            v[2] += views * round(r["completionRate"] * 10000)
            v[3] += int(r["likes"]) + int(r["comments"]) + int(r["shares"])
        assert [row["key"] for row in got["rows"]] == sorted(want)
        for row in got["rows"]:
            v = want[row["key"]]
            assert (row["views"], row["watchTimeSeconds"]) == (str(v[0]), str(v[1]))
            assert row["completionRate"] == math.floor(v[2] / v[0]) / 10000
            assert row["engagementRate"] == math.floor(v[3] * 10000 / v[0]) / 10000
        assert got["totals"]["views"] == str(sum(int(r["views"]) for r in rows))


def test_filters_and_errors(bn: Emulator) -> None:
    rows = bn.daily(DAY)
    gb_yt = bn.daily(DAY, channels=["PLACEMENT_CHANNEL_YOUTUBE"], countries=["GB"])
    assert gb_yt == [
        r for r in rows if r["channel"] == "PLACEMENT_CHANNEL_YOUTUBE" and r["country"] == "GB"
    ]
    zz = bn.daily(DAY, countries=["ZZ"])
    assert zz and zz == [r for r in rows if r["country"] == "ZZ"]
    assert bn.daily(DAY, assetIds=[str(uuid.uuid4())]) == []
    # the day isn't over: no rows after the emulated today
    assert bn.daily(TODAY + timedelta(days=1), TODAY + timedelta(days=30)) == []
    assert bn.daily(TODAY)  # today is served
    url = f"{CUSTOMER}/analytics/daily"
    for bad in (
        {},
        {"dateRange": {"from": "2026-08-02", "to": "2026-08-01"}},
        {"dateRange": {"from": "2025-01-01", "to": "2026-01-02"}},
        {"dateRange": {"from": "2026-02-30", "to": "2026-03-01"}},
        {
            "dateRange": {"from": "2026-08-01", "to": "2026-08-01"},
            "channels": ["PLACEMENT_CHANNEL_MYSPACE"],
        },
        {"dateRange": {"from": "2026-08-01", "to": "2026-08-01"}, "countries": ["gb"]},
        {"dateRange": {"from": "2026-08-01", "to": "2026-08-01"}, "assetIds": ["x"]},
        {"dateRange": {"from": "2026-08-01", "to": "2026-08-01"}, "pagination": {"limit": 1001}},
        {"dateRange": {"from": "2026-08-01", "to": "2026-08-01"}, "orderBy": "views"},
    ):
        r = bn.call("POST", url, json=bad)
        assert (r.status_code, r.json()["code"], r.headers["X-Emulator-Extension"]) == (
            400,
            3,
            "true",
        ), bad
    assert (
        bn.call(
            "POST", url, json={"dateRange": {"from": "2025-01-02", "to": "2026-01-02"}}
        ).status_code
        == 200
    )  # 366 days
    summary = f"{CUSTOMER}/analytics/summary"
    for bad in (
        {},
        {"from": "2026-08-01"},
        {"from": "2026-08-02", "to": "2026-08-01"},
        {"from": "2026-08-01", "to": "2026-08-01", "groupBy": "CHANNEL"},
    ):
        r = bn.call("GET", summary, params=bad)
        assert (r.status_code, r.json()["code"]) == (400, 3), bad
    empty = bn.ok(
        "GET",
        summary,
        params={"assetId": str(uuid.uuid4()), "from": "2026-08-01", "to": "2026-08-02"},
    )
    assert empty == {
        "rows": [],
        "totals": {
            "views": "0",
            "watchTimeSeconds": "0",
            "completionRate": 0.0,
            "engagementRate": 0.0,
        },
    }
