"""Extension: assets made by jobs, publishing, metadata, placements, and the seeded history."""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from bytenite_helpers import (
    CUSTOMER,
    TODAY,
    Emulator,
    expected_labels,
    expected_regions,
    legacy_videos,
    status_on,
)

pytestmark = pytest.mark.integration

VIDEO = "video-transcoding@v0.2"
EXT = {"X-Emulator-Extension": "true"}
METADATA = {
    "title": "The Salt Orchard",
    "subtitle": "A Novel",
    "contributors": [{"name": "Ada Carver", "role": "A01"}],
    "imprint": "Harbour Press",
    "genres": [{"scheme": "BISAC", "code": "FIC019000", "description": "FICTION / Literary"}],
    "isbn13s": ["9781900000107"],
    "publicationDate": "2027-03-04",
    "season": "Spring 2027",
    "territory": "World",
    "consonanceWorkId": 1011,
    "coverImageUrl": "https://images.consonance.example/covers/1011/front.jpg",
}


def make_asset(
    emu: Emulator, labels: dict[str, str] | None = None, **params: Any
) -> tuple[str, str]:
    """Run a video job to completion; (job id, asset id)."""
    body: dict[str, Any] = {"templateId": VIDEO, "name": "Launch trailer", "labels": labels or {}}
    if params:
        body["params"] = params
    jid = emu.ok("POST", f"{CUSTOMER}/jobs", json=body)["job"]["id"]
    emu.ok("POST", f"{CUSTOMER}/jobs/{jid}/run")
    deadline = time.monotonic() + 5
    while emu.ok("GET", f"{CUSTOMER}/jobs/{jid}")["job"]["state"] != "JOB_STATE_COMPLETE":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return jid, str(uuid.uuid5(uuid.UUID(jid), "asset"))


def asset(emu: Emulator, asset_id: str) -> dict[str, Any]:
    r = emu.call("GET", f"{CUSTOMER}/assets/{asset_id}")
    assert r.status_code == 200, r.text
    assert r.headers["X-Emulator-Extension"] == "true"
    return r.json()["asset"]


def test_completed_video_job_makes_one_asset(bn: Emulator) -> None:
    labels = {
        "consonanceWorkId": "1011",
        "isbn13": "9781900000107",
        "deliverableType": "DELIVERABLE_TYPE_TRAILER",
    }
    jid, aid = make_asset(bn, labels, app={"metadata": METADATA})
    job = bn.ok("GET", f"{CUSTOMER}/jobs/{jid}")["job"]
    results = bn.ok("GET", f"{CUSTOMER}/jobs/{jid}/results")["results"]
    r = bn.call("GET", f"{CUSTOMER}/jobs/{jid}/assets")
    assert r.headers["X-Emulator-Extension"] == "true"
    assets = r.json()["assets"]
    assert [a["id"] for a in assets] == [aid]
    a = assets[0]
    assert a == asset(bn, aid)
    assert a["jobId"] == jid
    assert a["resultName"] == results[0]["name"]
    assert a["title"] == "The Salt Orchard"
    assert a["labels"] == labels
    assert a["deliverableType"] == "DELIVERABLE_TYPE_TRAILER"
    assert a["metadata"] == {**METADATA, "consonanceWorkId": "1011"}
    assert a["assetUrl"] == f"https://media.bytenite.example/v1/assets/{aid}/master.mp4"
    assert a["thumbnailUrl"] is None
    assert a["publishingStatus"] == "PUBLISHING_STATUS_DRAFT"
    assert a["statusTimestamps"] == {"PUBLISHING_STATUS_DRAFT": job["endedAt"]}
    assert a["createdAt"] == a["updatedAt"] == job["endedAt"]
    assert a["publishedAt"] is None
    assert (a["format"], a["width"], a["height"], a["videoCodec"], a["audioCodec"]) == (
        "ASSET_FORMAT_MP4",
        1920,
        1080,
        "h264",
        "aac",
    )
    assert 60 <= a["durationSeconds"] <= 150
    assert a["sizeBytes"] == str(int(a["durationSeconds"] * a["bitrateKbps"] * 125))
    # the nightly thumbnail batch makes it READY the next emulated day
    bn.set_today(TODAY + timedelta(days=1))
    a = asset(bn, aid)
    assert a["publishingStatus"] == "PUBLISHING_STATUS_READY"
    assert a["thumbnailUrl"] == f"https://media.bytenite.example/v1/assets/{aid}/thumbnail.jpg"
    assert (
        a["statusTimestamps"]["PUBLISHING_STATUS_READY"]
        == f"{TODAY + timedelta(days=1)}T02:00:00.000000Z"
    )
    # other templates make no asset; an asset without metadata has null metadata and its job name as title
    hello = bn.ok("POST", f"{CUSTOMER}/jobs", json={"templateId": "hello-world-template"})["job"][
        "id"
    ]
    bn.ok("POST", f"{CUSTOMER}/jobs/{hello}/run")
    time.sleep(0.4)
    assert bn.ok("GET", f"{CUSTOMER}/jobs/{hello}/assets") == {"assets": []}
    r = bn.call("GET", f"{CUSTOMER}/jobs/{uuid.uuid4()}/assets")
    assert (r.status_code, r.json()["code"], r.headers["X-Emulator-Extension"]) == (404, 5, "true")
    _, bare = make_asset(bn)
    assert (
        asset(bn, bare)["metadata"],
        asset(bn, bare)["title"],
        asset(bn, bare)["deliverableType"],
    ) == (None, "Launch trailer", None)
    assert asset(bn, bare)["labels"] == {}


def test_publishing_transitions(bn: Emulator) -> None:
    _, aid = make_asset(bn, {"deliverableType": "DELIVERABLE_TYPE_TEASER"})
    assert (asset(bn, aid)["width"], asset(bn, aid)["height"]) == (1080, 1920)  # vertical cut

    def act(verb: str) -> Any:
        r = bn.call("POST", f"{CUSTOMER}/assets/{aid}/{verb}", json={})
        assert r.headers["X-Emulator-Extension"] == "true"
        return r

    r = act("publish")  # DRAFT
    assert r.status_code == 400
    assert r.json()["ok"] is False and r.json()["error"]["code"] == "400"
    assert "only a READY or UNPUBLISHED asset can be published" in r.json()["message"]
    bn.set_today(TODAY + timedelta(days=1))  # READY
    assert act("unpublish").status_code == 400
    assert act("publish").json()["message"] == "asset published"
    assert act("publish").json()["message"] == "asset already published"  # idempotent
    a = asset(bn, aid)
    assert a["publishingStatus"] == "PUBLISHING_STATUS_PUBLISHED"
    assert a["publishedAt"] == a["statusTimestamps"]["PUBLISHING_STATUS_PUBLISHED"]
    pid = bn.ok(
        "POST", f"{CUSTOMER}/assets/{aid}/placements", json={"channel": "PLACEMENT_CHANNEL_TIKTOK"}
    )["placement"]["id"]
    assert act("unpublish").json()["message"] == "asset unpublished; 1 placement(s) disabled"
    assert act("unpublish").json()["message"] == "asset already unpublished"
    placement = bn.ok("GET", f"{CUSTOMER}/placements/{pid}")["placement"]
    assert placement["state"] == "PLACEMENT_STATE_DISABLED"
    assert asset(bn, aid)["publishedAt"] == a["publishedAt"]  # kept after unpublishing
    assert act("publish").json()["message"] == "asset published"  # UNPUBLISHED -> PUBLISHED
    assert (
        bn.ok("GET", f"{CUSTOMER}/placements/{pid}")["placement"]["state"]
        == "PLACEMENT_STATE_DISABLED"
    )
    r = bn.call("POST", f"{CUSTOMER}/assets/{uuid.uuid4()}/publish")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "404")
    ops = [
        (w["operation"], w["outcome"]) for w in bn.writes() if w["operation"].startswith("assets.")
    ]
    assert ops == [
        ("assets.publish", "error"),
        ("assets.unpublish", "error"),
        ("assets.publish", "ok"),
        ("assets.publish", "ok"),
        ("assets.unpublish", "ok"),
        ("assets.unpublish", "ok"),
        ("assets.publish", "ok"),
        ("assets.publish", "error"),
    ]


def test_metadata_and_title(bn: Emulator, world) -> None:
    _, aid = make_asset(bn)
    body = bn.ok(
        "PATCH",
        f"{CUSTOMER}/assets/{aid}/metadata",
        json={"metadata": {"title": "New", "isbn13s": ["9781900000107"], "extra": 1}},
    )
    assert body["asset"]["metadata"] == {
        "title": "New",
        "subtitle": None,
        "contributors": None,
        "imprint": None,
        "genres": None,
        "isbn13s": ["9781900000107"],
        "publicationDate": None,
        "season": None,
        "territory": None,
        "consonanceWorkId": None,
        "coverImageUrl": None,
    }
    assert body["asset"]["updatedAt"] > body["asset"]["createdAt"]
    assert (
        bn.ok("PATCH", f"{CUSTOMER}/assets/{aid}/metadata", json={"metadata": None})["asset"][
            "metadata"
        ]
        is None
    )
    assert (
        bn.ok("PATCH", f"{CUSTOMER}/assets/{aid}/title", json={"title": "Renamed"})["asset"][
            "title"
        ]
        == "Renamed"
    )
    for bad in (
        {},
        {"metadata": "x"},
        {"metadata": {"title": 5}},
        {"metadata": {"contributors": {"name": "x"}}},
        {"metadata": {"contributors": ["x"]}},
        {"metadata": {"genres": [{"code": 1}]}},
        {"metadata": {"isbn13s": [None]}},
        {"metadata": {"publicationDate": "2027-02-30"}},
        {"metadata": {"consonanceWorkId": "abc"}},
        {"metadata": {"coverImageUrl": "ftp://covers.example/x.jpg"}},
        {"metadata": {"coverImageUrl": 5}},
    ):
        r = bn.call("PATCH", f"{CUSTOMER}/assets/{aid}/metadata", json=bad)
        assert (r.status_code, r.json()["code"]) == (400, 3), bad
    for bad in ({}, {"title": ""}, {"title": "   "}, {"title": 3}):
        assert bn.call("PATCH", f"{CUSTOMER}/assets/{aid}/title", json=bad).status_code == 400, bad
    r = bn.call("PATCH", f"{CUSTOMER}/assets/{uuid.uuid4()}/title", json={"title": "x"})
    assert (r.status_code, r.json()["code"]) == (404, 5)
    # a write takes effect from its date: yesterday still shows the legacy metadata
    i, n, v = next(x for x in legacy_videos(world, TODAY) if x[2].label_mode == "full")
    before = asset(bn, v.asset_id)
    bn.ok("PATCH", f"{CUSTOMER}/assets/{v.asset_id}/title", json={"title": "Fresh title"})
    bn.set_today(TODAY + timedelta(days=1))
    assert asset(bn, v.asset_id)["title"] == "Fresh title"
    bn.set_today(TODAY - timedelta(days=1))
    assert asset(bn, v.asset_id)["title"] == before["title"]
    ops = [
        (w["operation"], w["outcome"]) for w in bn.writes() if w["operation"].startswith("assets.")
    ]
    assert ops == [("assets.metadata", "ok"), ("assets.metadata", "ok"), ("assets.title", "ok")] + [
        ("assets.metadata", "error")
    ] * 11 + [("assets.title", "error")] * 5 + [("assets.title", "ok")]


def test_placements(bn: Emulator) -> None:
    _, aid = make_asset(bn)
    url = f"{CUSTOMER}/assets/{aid}/placements"
    r = bn.call("POST", url, json={"channel": "PLACEMENT_CHANNEL_YOUTUBE"})  # DRAFT
    assert (r.status_code, r.json()["code"]) == (400, 9)
    assert r.headers["X-Emulator-Extension"] == "true"
    bn.set_today(TODAY + timedelta(days=1))  # READY
    r = bn.call("POST", url, json={"channel": "PLACEMENT_CHANNEL_YOUTUBE"})
    assert (r.status_code, r.json()["code"]) == (400, 9)
    p = bn.ok(
        "POST",
        url,
        json={
            "channel": "PLACEMENT_CHANNEL_YOUTUBE",
            "enabled": False,
            "regions": {"whitelist": ["GB", "IE", "GB"]},
        },
    )["placement"]
    assert p["state"] == "PLACEMENT_STATE_PENDING"
    assert p["regions"] == {"whitelist": ["GB", "IE"], "blacklist": []}
    assert (p["assetId"], p["channel"], p["enabledAt"], p["disabledAt"], p["errorMessage"]) == (
        aid,
        "PLACEMENT_CHANNEL_YOUTUBE",
        None,
        None,
        None,
    )
    assert p["stateTimestamps"] == {"PLACEMENT_STATE_PENDING": p["createdAt"]}
    r = bn.call("POST", url, json={"channel": "PLACEMENT_CHANNEL_YOUTUBE", "enabled": False})
    assert (r.status_code, r.json()["code"]) == (409, 6)
    assert p["id"] in r.json()["message"]
    pid = p["id"]
    r = bn.call("POST", f"{CUSTOMER}/placements/{pid}/enable")
    assert (r.status_code, r.json()["ok"]) == (400, False)  # asset not published
    bn.ok("POST", f"{CUSTOMER}/assets/{aid}/publish")
    assert bn.ok("POST", f"{CUSTOMER}/placements/{pid}/enable")["message"] == "placement enabled"
    assert (
        bn.ok("POST", f"{CUSTOMER}/placements/{pid}/enable")["message"]
        == "placement already enabled"
    )
    p = bn.ok("GET", f"{CUSTOMER}/placements/{pid}")["placement"]
    assert p["state"] == "PLACEMENT_STATE_ENABLED"
    assert p["enabledAt"] == p["stateTimestamps"]["PLACEMENT_STATE_ENABLED"]
    assert bn.ok("POST", f"{CUSTOMER}/placements/{pid}/disable")["message"] == "placement disabled"
    assert (
        bn.ok("POST", f"{CUSTOMER}/placements/{pid}/disable")["message"]
        == "placement already disabled"
    )
    p = bn.ok(
        "PATCH",
        f"{CUSTOMER}/placements/{pid}/regions",
        json={"regions": {"whitelist": [], "blacklist": ["US", "CA"]}},
    )["placement"]
    assert p["regions"] == {"whitelist": [], "blacklist": ["US", "CA"]}
    assert p["state"] == "PLACEMENT_STATE_DISABLED"
    for bad in (
        {},
        {"regions": None},
        {"regions": {"whitelist": ["gb"]}},
        {"regions": {"blacklist": ["ZZ"]}},
        {"regions": {"whitelist": "GB"}},
        {"regions": {"whitelist": ["GBR"]}},
    ):
        r = bn.call("PATCH", f"{CUSTOMER}/placements/{pid}/regions", json=bad)
        assert (r.status_code, r.json()["code"]) == (400, 3), bad
    for bad in (
        {},
        {"channel": "PLACEMENT_CHANNEL_MYSPACE"},
        {"channel": "PLACEMENT_CHANNEL_X", "enabled": "yes"},
    ):
        r = bn.call("POST", url, json=bad)
        assert (r.status_code, r.json()["code"]) == (400, 3), bad
    second = bn.ok("POST", url, json={"channel": "PLACEMENT_CHANNEL_X"})["placement"]
    assert second["state"] == "PLACEMENT_STATE_ENABLED"
    listed = bn.ok("GET", f"{CUSTOMER}/placements", params={"assetId": aid})
    assert [x["id"] for x in listed["data"]] == [pid, second["id"]]
    assert bn.ok(
        "GET", f"{CUSTOMER}/placements", params={"assetId": aid, "state": "PLACEMENT_STATE_ENABLED"}
    )["data"] == [second]
    assert bn.ok(
        "GET",
        f"{CUSTOMER}/placements",
        params={"assetId": aid, "channel": "PLACEMENT_CHANNEL_X", "orderBy": "-createdAt"},
    )["data"] == [second]
    assert bn.call("GET", f"{CUSTOMER}/placements", params={"assetId": "nope"}).status_code == 400
    # delete: gone from get and list, and the channel is free again
    assert bn.ok("DELETE", f"{CUSTOMER}/placements/{pid}")["message"] == "placement deleted"
    r = bn.call("GET", f"{CUSTOMER}/placements/{pid}")
    assert (r.status_code, r.json()["code"]) == (404, 5)
    assert [
        x["id"] for x in bn.ok("GET", f"{CUSTOMER}/placements", params={"assetId": aid})["data"]
    ] == [second["id"]]
    r = bn.call("POST", f"{CUSTOMER}/placements/{pid}/enable")
    assert (r.status_code, r.json()["ok"]) == (404, False)
    again = bn.ok("POST", url, json={"channel": "PLACEMENT_CHANNEL_YOUTUBE"})["placement"]
    assert again["id"] != pid
    r = bn.call(
        "POST",
        f"{CUSTOMER}/assets/{uuid.uuid4()}/placements",
        json={"channel": "PLACEMENT_CHANNEL_X"},
    )
    assert (r.status_code, r.json()["code"]) == (404, 5)
    ops = [w["operation"] for w in bn.writes() if w["operation"].startswith("placements.")]
    assert ops.count("placements.create") == 10 and ops.count("placements.regions") == 7
    assert (
        ops.count("placements.enable") == 4
        and ops.count("placements.disable") == 2
        and ops.count("placements.delete") == 1
    )


def test_seeded_history(bn: Emulator, world) -> None:
    videos = legacy_videos(world, TODAY)
    assets = {a["id"]: a for a in bn.pages(f"{CUSTOMER}/assets", {"orderBy": "createdAt"})}
    assert set(assets) == {v.asset_id for _, _, v in videos}
    placements = bn.pages(f"{CUSTOMER}/placements")
    by_asset: dict[str, list[dict[str, Any]]] = {}
    for p in placements:
        by_asset.setdefault(p["assetId"], []).append(p)
    label_modes = set()
    for i, n, v in videos:
        a = assets[v.asset_id]
        label_modes.add(v.label_mode)
        assert a["jobId"] == v.job_id
        assert a["labels"] == expected_labels(world, i, n, v)
        assert a["deliverableType"] == (
            None if v.label_mode == "none" else f"DELIVERABLE_TYPE_{v.deliverable}"
        )
        assert a["assetUrl"] == v.asset_url
        assert a["thumbnailUrl"] == v.thumbnail_url
        assert a["durationSeconds"] == v.duration_seconds
        assert (a["width"], a["height"]) == (v.width, v.height)
        assert a["format"] == f"ASSET_FORMAT_{v.fmt}"
        assert a["publishingStatus"] == status_on(v, TODAY)
        assert a["createdAt"].startswith(v.created_on.isoformat())
        if v.label_mode == "none":
            assert a["metadata"] is None
        else:  # the title as it was when the video was made
            work = world.work_at(i, v.created_on)
            assert a["metadata"]["title"] == work.title
            assert a["metadata"]["subtitle"] == work.subtitle
            assert a["metadata"]["imprint"] == work.spec.imprint.name
        mine = sorted(by_asset.get(v.asset_id, []), key=lambda p: p["channel"])
        if v.published_on is None:
            assert mine == []
            continue
        assert [p["channel"] for p in mine] == sorted(f"PLACEMENT_CHANNEL_{c}" for c in v.channels)
        for p in mine:
            assert p["regions"] == expected_regions(world, i, v)
            assert p["createdAt"].startswith(v.published_on.isoformat())
            if v.unpublished_on is not None and v.unpublished_on <= TODAY:
                assert p["state"] == "PLACEMENT_STATE_DISABLED"
                assert p["disabledAt"].startswith(v.unpublished_on.isoformat())
            else:
                assert (p["state"], p["disabledAt"]) == ("PLACEMENT_STATE_ENABLED", None)
    assert label_modes == {"full", "isbn", "unknown_isbn", "none"}
    assert len(placements) == sum(
        len(v.channels) for _, _, v in videos if v.published_on is not None
    )


def test_only_what_exists_on_the_clock_date(bn: Emulator, world) -> None:
    day = date(2021, 6, 1)
    bn.set_today(day)
    videos = legacy_videos(world, day)
    later = next(
        v for i in range(world.n_works) for v in world.legacy_videos(i) if v.created_on > day
    )
    assets = bn.pages(f"{CUSTOMER}/assets")
    assert sorted(a["id"] for a in assets) == sorted(v.asset_id for _, _, v in videos)
    assert {a["id"]: a["publishingStatus"] for a in assets} == {
        v.asset_id: status_on(v, day) for _, _, v in videos
    }
    assert bn.call("GET", f"{CUSTOMER}/assets/{later.asset_id}").status_code == 404
    assert bn.call("GET", f"{CUSTOMER}/jobs/{later.job_id}").status_code == 404
    placements = bn.pages(f"{CUSTOMER}/placements")
    expected = sum(
        len(v.channels)
        for _, _, v in videos
        if v.published_on is not None and v.published_on <= day
    )
    assert len(placements) == expected
    jobs = bn.pages(f"{CUSTOMER}/jobs")
    assert len(jobs) == len(videos)


def test_asset_list_filters(bn: Emulator, world) -> None:
    videos = legacy_videos(world, TODAY)
    published = bn.pages(f"{CUSTOMER}/assets", {"publishingStatus": "PUBLISHING_STATUS_PUBLISHED"})
    assert sorted(a["id"] for a in published) == sorted(
        v.asset_id for _, _, v in videos if status_on(v, TODAY) == "PUBLISHING_STATUS_PUBLISHED"
    )
    trailers = bn.pages(f"{CUSTOMER}/assets", {"deliverableType": "DELIVERABLE_TYPE_TRAILER"})
    assert sorted(a["id"] for a in trailers) == sorted(
        v.asset_id for _, _, v in videos if v.deliverable == "TRAILER" and v.label_mode != "none"
    )
    since = "2026-01-01T00:00:00Z"
    recent = bn.pages(f"{CUSTOMER}/assets", {"updatedSince": since})
    assert recent and all(a["updatedAt"] >= "2026-01-01T00:00:00.000000Z" for a in recent)
    everything = bn.pages(f"{CUSTOMER}/assets")
    assert {a["id"] for a in everything if a["updatedAt"] >= "2026-01-01T00:00:00.000000Z"} == {
        a["id"] for a in recent
    }
    assert bn.pages(f"{CUSTOMER}/assets", {"updatedSince": "2026-01-01"}) == recent
    newest = bn.ok(
        "GET", f"{CUSTOMER}/assets", params={"orderBy": "-createdAt", "pagination.limit": 3}
    )["data"]
    assert [a["createdAt"] for a in newest] == sorted(
        (a["createdAt"] for a in everything), reverse=True
    )[:3]
    by_update = bn.pages(f"{CUSTOMER}/assets", {"orderBy": "updatedAt"})
    assert [a["updatedAt"] for a in by_update] == sorted(a["updatedAt"] for a in everything)
    for bad in (
        {"publishingStatus": "PUBLISHED"},
        {"deliverableType": "TRAILER"},
        {"updatedSince": "yesterday"},
        {"orderBy": "title"},
        {"pagination.limit": 1001},
    ):
        r = bn.call("GET", f"{CUSTOMER}/assets", params=bad)
        assert (r.status_code, r.json()["code"], r.headers["X-Emulator-Extension"]) == (
            400,
            3,
            "true",
        ), bad
