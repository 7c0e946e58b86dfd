"""Issues 5-7 end to end: full daily cycles of the five DAGs (``airflow dags test``) on both emulators.

One world for the module: cycle 1 on day D, cycle 2 on the same day (nothing may be written), then
the world changes (a title withdrawn, a title's rights narrowed, an asset unpublished by a person)
and cycle 3 runs for D+1. Expectations come from the emulators' own APIs and the catalogue, not
from the pipeline's SQL.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from datetime import date, timedelta
from typing import Any

import duckdb
import pytest
import requests

from emulators.catalog import World
from tests.harness import Emulators, Pipeline
from titlevideo.reverse.targets.bytenite import job_id_for

# The module's world (three cycles, fifteen `airflow dags test` runs) is built in the first test's
# setup, which pytest-timeout counts against that test. On a shared 2-core box at load ~18 a cycle
# took 12 min, and the suite-wide 900 s hang guard cut the world off in its second cycle.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(3600)]

SEED, WORKS = 5, 250
TODAY = date(2026, 11, 27)
D1 = date(2026, 11, 26)
D2 = date(2026, 11, 27)  # the next day, run on 2026-11-28
#: the first run catches up this many days of analytics (the business rules' history.days)
HISTORY_DAYS = 4

#: the sync's call descriptions → the ByteNite emulator's write-log operations
CALLS = {
    "create job": "jobs.create",
    "run job": "jobs.run",
    "set asset metadata": "assets.metadata",
    "publish asset": "assets.publish",
    "create placement": "placements.create",
    "enable placement": "placements.enable",
    "disable placement": "placements.disable",
    "set placement regions": "placements.regions",
}


def _sync_log(pipeline: Pipeline, run_id: str) -> list[tuple[str, str, str, int]]:
    con = sqlite3.connect(pipeline.lake.state / "sync.sqlite")
    try:
        return con.execute(
            "select target, key, call, ok from sync_log where run_id = ? order by rowid", (run_id,)
        ).fetchall()
    finally:
        con.close()


def _plan(pipeline: Pipeline, run_id: str) -> list[tuple[str, str, str]]:
    con = sqlite3.connect(pipeline.lake.state / "sync.sqlite")
    try:
        return con.execute(
            "select target, key, op from sync_plan where run_id = ?", (run_id,)
        ).fetchall()
    finally:
        con.close()


def _wh(pipeline: Pipeline, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(pipeline.lake.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


class World3:
    """What the module's tests look at, captured once."""

    emulators: Emulators
    pipeline: Pipeline
    writes_before: dict[str, int]
    writes_after_1: dict[str, list[dict[str, Any]]]
    writes_after_2: dict[str, list[dict[str, Any]]]
    writes_cycle3: dict[str, list[dict[str, Any]]]
    changes: dict[str, Any]
    #: after cycle n: metric date → when its partition was extracted
    metrics_after: dict[int, dict[date, str]]
    extract_report_1: dict[str, Any]


def _metric_partitions(pipeline: Pipeline) -> dict[date, str]:
    base = pipeline.lake.raw / "bytenite" / "daily_metrics"
    return {
        date.fromisoformat(p.name.split("=")[1]): json.loads((p / "_manifest.json").read_text())[
            "extracted_at"
        ]
        for p in base.glob("metric_date=*")
    }


@pytest.fixture(scope="module")
def world(airflow_db, tmp_path_factory) -> World3:
    w = World3()
    w.emulators = Emulators(seed=SEED, works=WORKS, today=TODAY)
    try:
        tmp = tmp_path_factory.mktemp("cycle")
        rules = tmp / "rules.yaml"  # the project's rules, with a short first-run history
        rules.write_text(f"version: 1\nhistory:\n  days: {HISTORY_DAYS}\n")
        w.pipeline = Pipeline(airflow_db, w.emulators, tmp / "lake", rules=rules)
        w.pipeline.cycle(D1)
        w.metrics_after = {1: _metric_partitions(w.pipeline)}
        w.extract_report_1 = w.pipeline.report(D1, "bytenite_extract")
        w.writes_after_1 = {s: w.emulators.writes(s) for s in ("bytenite", "consonance")}
        w.pipeline.cycle(D1)
        w.metrics_after[2] = _metric_partitions(w.pipeline)
        w.writes_after_2 = {s: w.emulators.writes(s) for s in ("bytenite", "consonance")}
        w.changes = _change_the_world(w)
        w.pipeline.cycle(D2)
        w.metrics_after[3] = _metric_partitions(w.pipeline)
        w.writes_cycle3 = {
            s: w.emulators.writes(s, since=len(w.writes_after_2[s]))
            for s in ("bytenite", "consonance")
        }
        yield w
    finally:
        w.emulators.stop()


def _placements_by_asset(emulators: Emulators) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for p in emulators.bytenite_list("/v1/customer/placements"):
        out.setdefault(p["assetId"], []).append(p)
    return out


def _work_of(asset: dict[str, Any], world: World) -> int | None:
    labels = asset.get("labels") or {}
    if labels.get("consonanceWorkId"):
        return int(labels["consonanceWorkId"])
    found = world.locate_isbn(labels.get("isbn13") or "")
    return world.work_id(found[0]) if found else None


def _change_the_world(w: World3) -> dict[str, Any]:
    """Move both clocks a day on and change three titles, as people would."""
    e = w.emulators
    e.set_clock(date(2026, 11, 28))
    catalogue = World(SEED, WORKS)
    assets = e.bytenite_list("/v1/customer/assets")
    placements = _placements_by_asset(e)
    by_work: dict[int, list[dict[str, Any]]] = {}
    for a in assets:
        work = _work_of(a, catalogue)
        if work is not None and a["publishingStatus"] == "PUBLISHING_STATUS_PUBLISHED":
            by_work.setdefault(work, []).append(a)

    def enabled(work: int) -> list[dict[str, Any]]:
        return [
            p
            for a in by_work[work]
            for p in placements.get(a["id"], [])
            if p["state"] == "PLACEMENT_STATE_ENABLED"
        ]

    def products(work: int) -> list[dict[str, Any]]:
        data = e.graphql(
            "query($s: WorkSearchAttributes){ work(workSearch: $s) { products { id onixPublishingStatusCode "
            "forSaleCountryCodes notForSaleCountryCodes } } }",
            {"s": {"idEq": work}},
        )
        return data["work"]["products"]

    candidates = sorted(w for w in by_work if enabled(w))
    world_rights = [
        w
        for w in candidates
        if all(
            not p["forSaleCountryCodes"] and not p["notForSaleCountryCodes"] for p in products(w)
        )
        and len(by_work[w]) == 1
    ]
    withdrawn = next(w for w in candidates if w not in world_rights[:1])
    narrowed = next(w for w in world_rights if w != withdrawn)
    unpublished_work = next(w for w in candidates if w not in (withdrawn, narrowed))
    unpublished_asset = by_work[unpublished_work][0]

    e.consonance_fixtures(
        {
            "products": [
                *(
                    {"id": p["id"], "overrides": {"onixPublishingStatusCode": "_11"}}
                    for p in products(withdrawn)
                ),
                *(
                    {"id": p["id"], "overrides": {"notForSaleCountryCodes": ["US"]}}
                    for p in products(narrowed)
                ),
            ]
        }
    )
    token = e.bytenite_token()
    r = requests.post(
        f"{e.bytenite.url}/v1/customer/assets/{unpublished_asset['id']}/unpublish",
        headers={"Authorization": token},
        json={},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return {
        "withdrawn_placements": {p["id"] for p in enabled(withdrawn)},
        "narrowed_placements": {p["id"] for p in enabled(narrowed)},
        "narrowed_work": narrowed,
        "unpublished_url": unpublished_asset["assetUrl"],
        "unpublished_work": unpublished_work,
        "withdrawn_work": withdrawn,
    }


# ---------------------------------------------------------------------------------------------


def test_the_days_total_views_equal_the_emulators_own_total(world):
    served = world.emulators.bytenite_metrics(D1)
    emulator_total = sum(int(m["views"]) for m in served)
    (warehouse_total,) = _wh(
        world.pipeline,
        f"select sum(views) from marts.fct_video_daily where metric_date = date '{D1}'",
    )[0]
    assert emulator_total > 0 and warehouse_total == emulator_total


def test_the_first_run_catches_up_the_history_and_later_runs_pull_one_day(world):
    history = [D1 - timedelta(days=n) for n in range(HISTORY_DAYS - 1, -1, -1)]
    first, again, next_day = (world.metrics_after[n] for n in (1, 2, 3))
    assert sorted(first) == history
    # the rerun of D1 re-pulled D1 only; D2's run added D2 only
    assert sorted(again) == history and again[D1] != first[D1]
    assert all(again[d] == first[d] for d in history[:-1])
    assert sorted(next_day) == [*history, D2]
    assert all(next_day[d] == again[d] for d in history)
    # every date's views in the warehouse are the emulator's own for that date
    by_date = dict(
        _wh(world.pipeline, "select metric_date, sum(views) from marts.fct_video_daily group by 1")
    )
    for day in [*history, D2]:
        served = sum(int(m["views"]) for m in world.emulators.bytenite_metrics(day))
        assert served > 0 and by_date[day] == served, day
    # the first run's report says so in one line; the rerun's has no catch-up
    caught_up = [line for line in world.extract_report_1["details"] if "catch-up" in line]
    assert len(caught_up) == 1 and caught_up[0].startswith("history catch-up (first run")
    assert f"{HISTORY_DAYS - 1} metric dates {history[0]}..{history[-2]}" in caught_up[0]
    rerun = world.pipeline.report(D1, "bytenite_extract")
    assert not [line for line in rerun["details"] if "catch-up" in line]


def test_the_bytenite_write_log_holds_exactly_the_calls_the_plan_listed(world):
    run_id = world.pipeline.report(D1, "bytenite_sync")["data"][
        "run_id"
    ]  # the report of the latest D1 run
    # the report was overwritten by cycle 2 (a no-op run); cycle 1's run id is the one with calls
    con = sqlite3.connect(world.pipeline.lake.state / "sync.sqlite")
    runs = [
        r[0]
        for r in con.execute(
            "select run_id from sync_runs where target = 'bytenite.jobs' and run_id like 'bytenite_sync:2026-11-26:%' "
            "order by started_at"
        )
    ]
    con.close()
    assert len(runs) == 2 and run_id == runs[1]
    first = runs[0]
    log = _sync_log(world.pipeline, first)
    assert log and all(ok == 1 for *_, ok in log)
    emulator = [e for e in world.writes_after_1["bytenite"]]
    assert all(e["outcome"] == "ok" for e in emulator)
    assert Counter(CALLS[call] for _, _, call, _ in log) == Counter(
        e["operation"] for e in emulator
    )
    # every planned operation made its calls, and only planned keys were written
    planned = {(t, k) for t, k, op in _plan(world.pipeline, first) if op != "adopt"}
    assert {(t, k) for t, k, _, _ in log} == planned
    # deterministic targets line up one to one
    jobs = Counter(e["target"]["jobId"] for e in emulator if e["operation"] == "jobs.create")
    expected_jobs = Counter(
        job_id_for(
            int(k.split(":")[1]), k.split(":")[2], int(k.split(":")[3]) if k.split(":")[3] else None
        )
        for t, k, call, _ in log
        if call == "create job"
    )
    assert jobs == expected_jobs and len(jobs) > 0
    metadata = Counter(
        e["target"]["assetId"] for e in emulator if e["operation"] == "assets.metadata"
    )
    assert metadata == Counter(k for t, k, call, _ in log if call == "set asset metadata")


def test_a_second_cycle_with_no_upstream_change_writes_nothing(world):
    assert len(world.writes_after_2["bytenite"]) == len(world.writes_after_1["bytenite"])
    assert len(world.writes_after_2["consonance"]) == len(world.writes_after_1["consonance"])
    assert world.pipeline.report(D1, "bytenite_sync")["headline"].startswith(
        "no ByteNite writes needed"
    )
    assert world.pipeline.report(D1, "consonance_sync")["headline"].startswith(
        "no Consonance writes needed"
    )


def _all_products(emulators: Emulators) -> dict[int, dict[str, Any]]:
    out, after = {}, None
    while True:
        search = {"after": after} if after else {}
        page = emulators.graphql(
            "query($s: ProductSearchAttributes){ products(productSearch: $s) { id onixPublishingStatusCode "
            "isbn { isbn13 } work { id } webLinks { link } } }",
            {"s": search},
        )["products"]
        if not page:
            return out
        for p in page:
            out[p["id"]] = p
        after = page[-1]["id"]


def test_published_matched_assets_are_linked_on_their_products_after_cycle_one(world):
    e = world.emulators
    catalogue = World(SEED, WORKS)
    products = _all_products(e)
    by_isbn = {p["isbn"]["isbn13"]: p for p in products.values() if p["isbn"]}
    live = {"_02", "_04"}
    missing = []
    checked = 0
    for a in e.bytenite_list("/v1/customer/assets"):
        if a["publishingStatus"] != "PUBLISHING_STATUS_PUBLISHED" or a["id"] == "":
            continue
        if a["assetUrl"] == world.changes["unpublished_url"]:
            continue  # unpublished before cycle 3 (its own test)
        work = _work_of(a, catalogue)
        if work is None:
            continue
        labels = a.get("labels") or {}
        if a["deliverableType"] in (
            "DELIVERABLE_TYPE_AUDIOBOOK_SAMPLE",
            "DELIVERABLE_TYPE_NARRATED_EXCERPT",
        ):
            audio = by_isbn.get(labels.get("audioProductIsbn13") or "")
            targets = [audio] if audio and audio["onixPublishingStatusCode"] in live else []
        else:
            targets = [
                p
                for p in products.values()
                if p["work"]["id"] == work and p["onixPublishingStatusCode"] in live
            ]
        for p in targets:
            checked += 1
            if a["assetUrl"] not in {wl["link"] for wl in p["webLinks"]}:
                missing.append((a["id"], p["id"]))
    assert checked > 20 and missing == []


def test_one_summary_per_work_with_video_whose_numbers_equal_the_warehouse(world):
    marker = "<!-- title-video-elt:performance-summary -->"
    views = dict(_wh(world.pipeline, "select work_id, views from marts.mart_title_performance"))
    with_video = {
        r[0]
        for r in _wh(
            world.pipeline,
            "select distinct key::bigint from reverse.rev_consonance__summaries "
            "where desired_json is not null",
        )
    }
    data_texts: dict[int, list[str]] = {}
    after = None
    while True:
        page = world.emulators.graphql(
            "query($s: WorkSearchAttributes){ works(workSearch: $s) { id marketingTexts { internalTextMarkdown } } }",
            {"s": {"after": after} if after else {}},
        )["works"]
        if not page:
            break
        for w in page:
            data_texts[w["id"]] = [
                t["internalTextMarkdown"]
                for t in w["marketingTexts"]
                if (t["internalTextMarkdown"] or "").startswith(marker)
            ]
        after = page[-1]["id"]
    summarised = {w for w, texts in data_texts.items() if texts}
    assert len(with_video) > 20
    assert summarised == {int(w) for w in with_video}
    for work in summarised:
        (text,) = data_texts[work]  # exactly one
        found = re.search(r"- Views: ([\d,]+);", text)
        assert found, text
        assert int(found.group(1).replace(",", "")) == (views.get(work) or 0)


def test_a_withdrawn_title_loses_exactly_its_placements(world):
    disabled = {
        e["target"]["placementId"]
        for e in world.writes_cycle3["bytenite"]
        if e["operation"] == "placements.disable"
    }
    assert (
        world.changes["withdrawn_placements"] and disabled == world.changes["withdrawn_placements"]
    )


def test_narrowed_rights_restrict_exactly_that_titles_placements(world):
    regions = {
        e["target"]["placementId"]: e["payload"]["regions"]
        for e in world.writes_cycle3["bytenite"]
        if e["operation"] == "placements.regions"
    }
    assert set(regions) == world.changes["narrowed_placements"]
    assert all(r == {"whitelist": [], "blacklist": ["US"]} for r in regions.values())


def test_unpublishing_an_asset_removes_its_links_on_the_next_cycle(world):
    url = world.changes["unpublished_url"]
    products = _all_products(world.emulators)
    assert not any(url in {wl["link"] for wl in p["webLinks"]} for p in products.values())
    deleted = [e for e in world.writes_cycle3["consonance"] if e["operation"] == "deleteWebLink"]
    linked_before = [
        e
        for e in world.writes_after_1["consonance"]
        if e["operation"] == "createWebLink" and e["payload"]["link"] == url
    ]
    assert linked_before and len(deleted) >= len(linked_before)


def test_published_trailers_are_placed_on_campaign_landing_pages(world):
    """Issue 18: the business rules place trailers on campaign landing pages by default. Every
    published trailer of a catalogue title that plays anywhere has an enabled CAMPAIGN_LANDING
    placement, and nothing else is placed there (only trailers are configured for it)."""
    e = world.emulators
    catalogue = World(SEED, WORKS)
    placements = _placements_by_asset(e)
    checked, missing = 0, []
    for a in e.bytenite_list("/v1/customer/assets"):
        mine = placements.get(a["id"], [])
        if any(p["channel"] == "PLACEMENT_CHANNEL_CAMPAIGN_LANDING" for p in mine):
            assert a["deliverableType"] == "DELIVERABLE_TYPE_TRAILER", a["id"]
        if (
            a["deliverableType"] != "DELIVERABLE_TYPE_TRAILER"
            or a["publishingStatus"] != "PUBLISHING_STATUS_PUBLISHED"
            or _work_of(a, catalogue) is None
            or not any(p["state"] == "PLACEMENT_STATE_ENABLED" for p in mine)
        ):
            continue
        checked += 1
        landing = [p for p in mine if p["channel"] == "PLACEMENT_CHANNEL_CAMPAIGN_LANDING"]
        if [p["state"] for p in landing] != ["PLACEMENT_STATE_ENABLED"]:
            missing.append(a["id"])
    assert checked > 3 and missing == []


def test_the_imprint_export_has_a_csv_per_imprint_and_season_of_the_catalogue(world):
    """Issue 18: reports/imprints/ holds one CSV per (season, imprint) of Consonance's works,
    each with one row per work, counted here from Consonance's API."""
    import csv

    e = world.emulators
    works: list[dict[str, Any]] = []
    after = None
    while True:
        page = e.graphql(
            "query($s: WorkSearchAttributes){ works(workSearch: $s) { id season imprint { name } } }",
            {"s": {"after": after}},
        )["works"]
        works.extend(page)
        if len(page) < 100:
            break
        after = page[-1]["id"]
    expected = Counter(
        (w["season"] or "No season", (w["imprint"] or {}).get("name") or "Unassigned")
        for w in works
    )
    root = world.pipeline.lake.reports / "imprints"
    with (root / "index.csv").open(newline="", encoding="utf-8") as f:
        index = list(csv.DictReader(f))
    assert {(r["season_name"], r["imprint_name"]): int(r["n_titles"]) for r in index} == dict(
        expected
    )
    for r in index:
        with (root / r["file"]).open(newline="", encoding="utf-8") as f:
            ids = {int(row["work_id"]) for row in csv.DictReader(f)}
        assert ids == {
            w["id"]
            for w in works
            if (w["season"] or "No season", (w["imprint"] or {}).get("name") or "Unassigned")
            == (r["season_name"], r["imprint_name"])
        }


def _covers(emulators: Emulators) -> dict[int, str | None]:
    """Each work's front cover URL as Consonance serves it now."""
    out: dict[int, str | None] = {}
    after = None
    while True:
        page = emulators.graphql(
            "query($s: WorkSearchAttributes){ works(workSearch: $s) { id supportingResources "
            "{ id url resourceVariant status isProcessing } } }",
            {"s": {"after": after} if after else {}},
        )["works"]
        if not page:
            return out
        for w in page:
            fronts = sorted(
                (r["status"] == "APPROVED", r["id"], r["url"])
                for r in w["supportingResources"]
                if r["resourceVariant"] == "FRONT_COVER"
                and r["url"]
                and not r["isProcessing"]
                and r["status"] != "ARCHIVED"
            )
            out[w["id"]] = fronts[-1][2] if fronts else None
        after = page[-1]["id"]


def test_every_matched_asset_carries_its_titles_cover_reference(world):
    """Issue 18, flows 1 and 3: the cover reference (Consonance's front cover) is in the metadata
    of every matched asset on ByteNite (job requests carry the same metadata)."""
    e = world.emulators
    catalogue = World(SEED, WORKS)
    covers = _covers(e)
    checked, wrong = 0, []
    for a in e.bytenite_list("/v1/customer/assets"):
        work = _work_of(a, catalogue)
        if (
            work is None
            or a["publishingStatus"] == "PUBLISHING_STATUS_FAILED"
            or a["deliverableType"]
            in ("DELIVERABLE_TYPE_AUDIOBOOK_SAMPLE", "DELIVERABLE_TYPE_NARRATED_EXCERPT")
        ):
            continue  # audio deliverables: only those whose audio product is known are written
        meta = a.get("metadata") or {}
        if str(meta.get("consonanceWorkId") or "") != str(work):
            continue  # not a title the pipeline matched this asset to
        checked += 1
        if meta.get("coverImageUrl") != covers.get(work):
            wrong.append((a["id"], work, meta.get("coverImageUrl"), covers.get(work)))
    assert checked > 20 and wrong == []
    assert sum(1 for c in covers.values() if c) > 20


def test_the_summary_shows_each_assets_status_and_thumbnail(world):
    """Issue 18, flow 6: the performance summary on the title lists each asset with its status
    (an unpublished one says so) and, once ByteNite has one, its thumbnail URL."""
    marker = "<!-- title-video-elt:performance-summary -->"
    e = world.emulators
    data = e.graphql(
        "query($s: WorkSearchAttributes){ work(workSearch: $s) { marketingTexts { internalTextMarkdown } } }",
        {"s": {"idEq": world.changes["unpublished_work"]}},
    )
    (text,) = [
        t["internalTextMarkdown"]
        for t in data["work"]["marketingTexts"]
        if (t["internalTextMarkdown"] or "").startswith(marker)
    ]
    line = next(x for x in text.splitlines() if x.startswith("- Deliverables: "))
    assert " unpublished (" in line, line
    catalogue = World(SEED, WORKS)
    thumbs = 0
    for a in e.bytenite_list("/v1/customer/assets"):
        if _work_of(a, catalogue) == world.changes["unpublished_work"] and a["thumbnailUrl"]:
            thumbs += 1
            assert f"thumbnail {a['thumbnailUrl']}" in line, (a["id"], line)
    assert thumbs > 0


def test_published_assets_thumbnails_are_supporting_resources_of_their_works(world):
    """Issue 18, flow 6: after the cycles, each published, matched asset's thumbnail is exactly
    one supporting resource of its work (its imageRemoteUrl), linked to no product; the asset a
    person unpublished before cycle 3 has none left; no other ByteNite thumbnail is attached."""
    e = world.emulators
    catalogue = World(SEED, WORKS)
    want: dict[int, set[str]] = {}
    thumbs, unpublished = set(), None
    for a in e.bytenite_list("/v1/customer/assets"):
        if a["thumbnailUrl"]:
            thumbs.add(a["thumbnailUrl"])
        if a["assetUrl"] == world.changes["unpublished_url"]:
            unpublished = a["thumbnailUrl"]
        work = _work_of(a, catalogue)
        if (
            work is not None
            and a["thumbnailUrl"]
            and a["publishingStatus"] == "PUBLISHING_STATUS_PUBLISHED"
        ):
            want.setdefault(work, set()).add(a["thumbnailUrl"])
    assert sum(map(len, want.values())) > 10 and unpublished

    def attached(work: int) -> list[dict[str, Any]]:
        data = e.graphql(
            "query($s: WorkSearchAttributes){ work(workSearch: $s) { supportingResources "
            "{ id imageRemoteUrl caption productIds } } }",
            {"s": {"idEq": work}},
        )
        return [r for r in data["work"]["supportingResources"] if r["imageRemoteUrl"] in thumbs]

    works = set(want) | {world.changes["unpublished_work"]}
    for work in sorted(works):
        mine = attached(work)
        urls = [r["imageRemoteUrl"] for r in mine]
        assert sorted(urls) == sorted(want.get(work, set())), work  # one each, nothing else
        assert all(
            r["productIds"] == [] and r["caption"].startswith("Video thumbnail: ") for r in mine
        )
    assert unpublished not in {
        r["imageRemoteUrl"] for r in attached(world.changes["unpublished_work"])
    }
    created = [
        w
        for w in world.writes_after_1["consonance"]
        if w["operation"] == "createSupportingResource"
    ]
    assert created and all(w["outcome"] == "ok" for w in created)
    removed = [
        w for w in world.writes_cycle3["consonance"] if w["operation"] == "deleteSupportingResource"
    ]
    assert removed, "the unpublished asset's thumbnail was not removed in cycle 3"


def test_enabled_placements_keep_to_the_titles_windows_and_channel_restrictions(world):
    """Issue 18, flow 4, on both emulators after cycle 3 (run for D2): every enabled placement's
    title has a live product whose promotion window is open on D2 (from publication minus the
    rules' pre-order days, not before a sales embargo date, until an out-of-print date), read
    from Consonance's API; and no placement is enabled on a channel the rules keep its imprint
    off."""
    from titlevideo.config import load_rules

    rules = load_rules()
    e = world.emulators
    catalogue = World(SEED, WORKS)
    by_id = {a["id"]: a for a in e.bytenite_list("/v1/customer/assets")}
    works: dict[int, dict[str, Any]] = {}

    def work(work_id: int) -> dict[str, Any]:
        if work_id not in works:
            works[work_id] = e.graphql(
                "query($s: WorkSearchAttributes){ work(workSearch: $s) { imprint { name } "
                "products { onixPublishingStatusCode publicationDate salesEmbargoDate "
                "outOfPrintDate } } }",
                {"s": {"idEq": work_id}},
            )["work"]
        return works[work_id]

    def open_on(p: dict[str, Any], day: date) -> bool:
        if p["onixPublishingStatusCode"] not in ("_02", "_04") or not p["publicationDate"]:
            return False
        opens = date.fromisoformat(p["publicationDate"]) - timedelta(days=rules.pre_order_days)
        if p["salesEmbargoDate"]:
            opens = max(opens, date.fromisoformat(p["salesEmbargoDate"]))
        ends = date.fromisoformat(p["outOfPrintDate"]) if p["outOfPrintDate"] else None
        return opens <= day and (ends is None or day < ends)

    enabled = restricted_assets = 0
    for p in e.bytenite_list("/v1/customer/placements"):
        work_id = _work_of(by_id[p["assetId"]], catalogue) if p["assetId"] in by_id else None
        if work_id is None:
            continue
        w = work(work_id)
        off = rules.channel_restrictions_by_imprint.get((w["imprint"] or {}).get("name"), ())
        restricted_assets += bool(off)
        if p["state"] != "PLACEMENT_STATE_ENABLED":
            continue
        enabled += 1
        assert any(open_on(prod, D2) for prod in w["products"]), (p["id"], work_id)
        assert p["channel"].removeprefix("PLACEMENT_CHANNEL_") not in off, (p["id"], work_id)
    assert enabled > 20 and restricted_assets > 0, (enabled, restricted_assets)
