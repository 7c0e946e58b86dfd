"""Bad input: malformed records injected through both emulators' fixtures.

One world receives 52 kinds of malformed record at once (Consonance: overridden works, products
and web links, duplicated works and products; ByteNite: fixture assets, placements and metric
rows). Its extraction must quarantine each with its reason (the exact text is asserted per
kind), the children of a rejected parent with theirs, and land every other record exactly as
the same world without the bad records does (key sets and content compared with a clean run).
The raw quality gate and the build then pass on what landed.

Records that are valid for the schema contract but wrong for a quality gate (a shared ISBN, an
unknown marketing tier, an unknown video format, a day-long video) stop the run at the raw gate,
one run each; a record that breaks the contract (a required field missing, a wrong JSON type)
stops the extraction before anything is visible.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import requests

from tests.e2e.lakeutil import partition, rows
from tests.harness import Emulators
from titlevideo.config import Lake
from titlevideo.contract import ContractError
from titlevideo.extract.bytenite import extract_bytenite_metrics, extract_bytenite_snapshot
from titlevideo.extract.consonance import extract_consonance
from titlevideo.quality import QualityError, validate_raw
from titlevideo.warehouse import build_warehouse

pytestmark = pytest.mark.integration

SEED, WORKS = 5, 250
DAY, TODAY = date(2026, 11, 26), date(2026, 11, 27)
NS = uuid.UUID("0f4c2a8e-5d1b-4b7e-9c3a-6e2f1d8b7a90")
KEYS = {
    ("consonance", "works"): "work_id",
    ("consonance", "products"): "product_id",
    ("consonance", "marketing_texts"): "marketing_text_id",
    ("consonance", "web_links"): "web_link_id",
    ("bytenite", "jobs"): "job_id",
    ("bytenite", "assets"): "asset_id",
    ("bytenite", "placements"): "placement_id",
}


@dataclass
class Kind:
    """One kind of malformed record: where it lands in quarantine and why."""

    name: str
    source: str
    entity: str
    key: str  # the record's id as quarantine stores it
    reason: str
    field: str


def _extract(e: Emulators, lake: Lake) -> None:
    extract_consonance(e.consonance_endpoint(), lake, DAY)
    extract_bytenite_snapshot(e.bytenite_endpoint(), lake, DAY)
    extract_bytenite_metrics(e.bytenite_endpoint(), lake, DAY, DAY)


def _raw(lake: Lake, source: str, entity: str) -> list[dict[str, Any]]:
    return rows(partition(lake.raw, source, entity, DAY.isoformat()))


def _quarantine(lake: Lake) -> list[dict[str, Any]]:
    out = []
    for path in sorted(lake.quarantine.glob("*/*/*=*/data.parquet")):
        source, entity = path.parts[-4], path.parts[-3]
        for r in pq.read_table(path).to_pylist():
            out.append({"source": source, "entity": entity, **r})
    return out


# --------------------------------------------------------------------------------------------
# The 52 kinds
# --------------------------------------------------------------------------------------------


def _consonance_kinds(clean: Lake) -> tuple[dict[str, Any], list[Kind], dict[str, set[int]]]:
    """Fixtures and expected quarantine rows; each kind on records no other kind touches."""
    works = _raw(clean, "consonance", "works")
    products = _raw(clean, "consonance", "products")
    links = _raw(clean, "consonance", "web_links")
    linked_products = {link["product_id"] for link in links}
    products_of: dict[int, list[dict[str, Any]]] = {}
    for p in products:
        products_of.setdefault(p["work_id"], []).append(p)
    # works whose products carry links: rejecting them shows the whole family goes to quarantine
    with_links = sorted(
        w["work_id"]
        for w in works
        if any(p["product_id"] in linked_products for p in products_of.get(w["work_id"], []))
    )
    fixtures: dict[str, Any] = {"works": [], "products": [], "webLinks": [], "duplicates": {}}
    kinds: list[Kind] = []
    rejected_works: set[int] = set()
    rejected_products: set[int] = set()
    rejected_links: set[int] = set()

    contribution = {
        "id": 9_900_001,
        "sequenceNumber": 1,
        "productIds": [],
        "contributor": {"__typename": "Person", "id": 7, "name": "A. Person"},
    }
    work_kinds = [
        ("empty title", {"title": ""}, "empty title", "title"),
        ("blank title", {"title": "   "}, "empty title", "title"),
        (
            "unknown contributor role",
            {"contributions": [{**contribution, "onixContributorRoleCode": "ZZ9"}]},
            "unknown ONIX list 17 role 'ZZ9'",
            "contributions.onixContributorRoleCode",
        ),
        (
            "empty contributor role",
            {"contributions": [{**contribution, "onixContributorRoleCode": ""}]},
            "unknown ONIX list 17 role ''",
            "contributions.onixContributorRoleCode",
        ),
    ]
    for (name, overrides, reason, field), wid in zip(work_kinds, with_links, strict=False):
        fixtures["works"].append({"id": wid, "overrides": overrides})
        kinds.append(Kind(f"work: {name}", "consonance", "works", str(wid), reason, field))
        rejected_works.add(wid)
    # a work served twice: the second copy (and its children) is quarantined, the first lands
    dup_work = with_links[len(work_kinds)]
    fixtures["duplicates"]["works"] = [dup_work]
    kinds.append(
        Kind(
            "duplicate work",
            "consonance",
            "works",
            str(dup_work),
            "duplicate key in this extraction",
            "work_id",
        )
    )

    # products: one per kind, each of its own work (works not used above), linked ones first
    free = [
        ps
        for wid, ps in sorted(products_of.items())
        if wid not in rejected_works and wid != dup_work
    ]
    candidates = [next((p for p in ps if p["product_id"] in linked_products), ps[0]) for ps in free]

    def bad_check_digit(isbn: str) -> str:
        return isbn[:-1] + str((int(isbn[-1]) + 1) % 10)

    product_kinds = [
        ("ISBN-13 with a wrong check digit", "isbn13", lambda p: bad_check_digit(p["isbn13"])),
        ("ISBN-13 with a non-book prefix", "isbn13", lambda p: "9771234567003"),
        ("ISBN-13 one digit short", "isbn13", lambda p: p["isbn13"][:-1]),
        ("unknown product form", "onix21ProductFormCode", lambda p: "QQ"),
        ("ISBN-13 with a letter", "isbn13", lambda p: p["isbn13"][:-2] + "X0"),
        ("unknown publishing status", "onixPublishingStatusCode", lambda p: "_99"),
        ("negative price", "prices", lambda p: [{"amount": -5.0, "currencyCode": "GBP"}]),
        ("unknown currency", "prices", lambda p: [{"amount": 5.0, "currencyCode": "ABC"}]),
        ("impossible publication date", "publicationDate", lambda p: "2026-02-30"),
        ("malformed planned date", "plannedPublicationDate", lambda p: "next spring"),
        ("unknown for-sale country", "forSaleCountryCodes", lambda p: ["GB", "XX"]),
        ("lower-case not-for-sale country", "notForSaleCountryCodes", lambda p: ["gb"]),
    ]
    reasons = {
        "ISBN-13 with a wrong check digit": lambda v: (
            f"invalid ISBN-13 {v!r} (check digit or prefix)",
            "isbn.isbn13",
        ),
        "ISBN-13 with a non-book prefix": lambda v: (
            f"invalid ISBN-13 {v!r} (check digit or prefix)",
            "isbn.isbn13",
        ),
        "ISBN-13 one digit short": lambda v: (
            f"invalid ISBN-13 {v!r} (check digit or prefix)",
            "isbn.isbn13",
        ),
        "ISBN-13 with a letter": lambda v: (
            f"invalid ISBN-13 {v!r} (check digit or prefix)",
            "isbn.isbn13",
        ),
        "unknown product form": lambda v: (
            "unknown ONIX 2.1 list 7 product form 'QQ'",
            "onix21ProductFormCode",
        ),
        "unknown publishing status": lambda v: (
            "unknown ONIX list 64 status '99'",
            "onixPublishingStatusCode",
        ),
        "negative price": lambda v: ("negative or non-numeric price -5.0", "prices.amount"),
        "unknown currency": lambda v: ("unknown currency 'ABC'", "prices.currencyCode"),
        "impossible publication date": lambda v: (
            "impossible or malformed date '2026-02-30'",
            "publicationDate",
        ),
        "malformed planned date": lambda v: (
            "impossible or malformed date 'next spring'",
            "plannedPublicationDate",
        ),
        "unknown for-sale country": lambda v: ("unknown country code 'XX'", "forSaleCountryCodes"),
        "lower-case not-for-sale country": lambda v: (
            "unknown country code 'gb'",
            "notForSaleCountryCodes",
        ),
    }
    for (name, field, value), p in zip(product_kinds, candidates, strict=False):
        v = value(p)
        fixtures["products"].append({"id": p["product_id"], "overrides": {field: v}})
        reason, where = reasons[name](v)
        kinds.append(
            Kind(f"product: {name}", "consonance", "products", str(p["product_id"]), reason, where)
        )
        rejected_products.add(p["product_id"])

    # web links: one per kind, on products no other kind touches
    touched = rejected_products
    touched_works = rejected_works | {dup_work}
    free_links = [
        link
        for link in links
        if link["product_id"] not in touched and link["work_id"] not in touched_works
    ]
    link_kinds = [
        ("link that is not a URL", "link", "not a url", "not an http(s) URL: 'not a url'"),
        (
            "ftp link",
            "link",
            "ftp://media.example/t.mp4",
            "not an http(s) URL: 'ftp://media.example/t.mp4'",
        ),
        ("unknown link role", "role", "ZZ", "unknown ONIX list 73 role 'ZZ'"),
        ("three-digit link role", "role", "_300", "unknown ONIX list 73 role '300'"),
    ]
    used_products: set[int] = set()
    chosen = []
    for link in free_links:
        if link["product_id"] not in used_products:
            used_products.add(link["product_id"])
            chosen.append(link)
    for (name, field, value, reason), link in zip(link_kinds, chosen, strict=False):
        fixtures["webLinks"].append({"id": link["web_link_id"], "overrides": {field: value}})
        kinds.append(
            Kind(
                f"web link: {name}",
                "consonance",
                "web_links",
                str(link["web_link_id"]),
                reason,
                field,
            )
        )
        rejected_links.add(link["web_link_id"])
    assert len(kinds) == len(work_kinds) + len(product_kinds) + len(link_kinds) + 1
    families = {
        "works": rejected_works,
        "products": rejected_products,
        "links": rejected_links,
        "dup_work": {dup_work},
    }
    return fixtures, kinds, families


def _bytenite_kinds(e: Emulators) -> tuple[dict[str, Any], list[Kind]]:
    asset = e.bytenite_list("/v1/customer/assets")[0]
    placement = e.bytenite_list("/v1/customer/placements")[0]
    metric = e.bytenite_metrics(DAY)[0]
    fixtures: dict[str, Any] = {"assets": [], "placements": [], "metrics": []}
    kinds: list[Kind] = []

    def new_id(name: str) -> str:
        return str(uuid.uuid5(NS, name))

    asset_kinds = [
        (
            "unknown publishing status",
            {"publishingStatus": "PUBLISHING_STATUS_LIVE"},
            "unknown publishing status 'PUBLISHING_STATUS_LIVE'",
            "publishingStatus",
        ),
        (
            "unknown deliverable type",
            {"deliverableType": "DELIVERABLE_TYPE_PODCAST"},
            "unknown deliverable type 'DELIVERABLE_TYPE_PODCAST'",
            "deliverableType",
        ),
        (
            "negative duration",
            {"durationSeconds": -1.0},
            "negative duration -1.0",
            "durationSeconds",
        ),
        ("zero width", {"width": 0}, "non-positive width 0", "width"),
        ("negative height", {"height": -1080}, "non-positive height -1080", "height"),
        (
            "label value not a string",
            {"labels": {**asset["labels"], "consonanceWorkId": 1010}},
            "label values must be strings, got int",
            "labels.consonanceWorkId",
        ),
        (
            "creation time not a timestamp",
            {"createdAt": "yesterday"},
            "not an RFC 3339 timestamp: 'yesterday'",
            "createdAt",
        ),
        (
            "update time without a zone",
            {"updatedAt": "2026-11-26T10:00:00"},
            "timestamp without a time zone: '2026-11-26T10:00:00'",
            "updatedAt",
        ),
        ("size not an integer", {"sizeBytes": "12MB"}, "not an integer: '12MB'", "sizeBytes"),
        ("negative size", {"sizeBytes": "-5"}, "negative value -5", "sizeBytes"),
    ]
    for name, changes, reason, field in asset_kinds:
        record = {**asset, "id": new_id("asset " + name), **changes}
        fixtures["assets"].append(record)
        kinds.append(Kind(f"asset: {name}", "bytenite", "assets", record["id"], reason, field))
    fixtures["assets"].append({**asset, "id": "asset-123"})
    kinds.append(
        Kind(
            "asset: id not a UUID",
            "bytenite",
            "assets",
            "asset-123",
            "not a UUID: 'asset-123'",
            "id",
        )
    )
    fixtures["assets"].append(dict(asset))  # the same asset served twice
    kinds.append(
        Kind(
            "asset: served twice",
            "bytenite",
            "assets",
            asset["id"],
            "duplicate key in this extraction",
            "asset_id",
        )
    )

    placement_kinds = [
        (
            "unknown channel",
            {"channel": "PLACEMENT_CHANNEL_MYSPACE"},
            "unknown channel 'PLACEMENT_CHANNEL_MYSPACE'",
            "channel",
        ),
        (
            "unknown state",
            {"state": "PLACEMENT_STATE_PAUSED"},
            "unknown placement state 'PLACEMENT_STATE_PAUSED'",
            "state",
        ),
        (
            "unknown country in the whitelist",
            {"regions": {"whitelist": ["GB", "XX"], "blacklist": []}},
            "unknown country code(s) ['XX']",
            "regions.whitelist",
        ),
        (
            "blacklist not a list",
            {"regions": {"whitelist": [], "blacklist": "GB"}},
            "not a list",
            "regions.blacklist",
        ),
        (
            "enabled time not a timestamp",
            {"enabledAt": "13:05 yesterday"},
            "not an RFC 3339 timestamp: '13:05 yesterday'",
            "enabledAt",
        ),
    ]
    for name, changes, reason, field in placement_kinds:
        record = {**placement, "id": new_id("placement " + name), **changes}
        fixtures["placements"].append(record)
        kinds.append(
            Kind(f"placement: {name}", "bytenite", "placements", record["id"], reason, field)
        )
    fixtures["placements"].append({**placement, "id": "placement-9"})
    kinds.append(
        Kind(
            "placement: id not a UUID",
            "bytenite",
            "placements",
            "placement-9",
            "not a UUID: 'placement-9'",
            "id",
        )
    )
    fixtures["placements"].append(dict(placement))
    kinds.append(
        Kind(
            "placement: served twice",
            "bytenite",
            "placements",
            placement["id"],
            "duplicate key in this extraction",
            "placement_id",
        )
    )

    serve = {"_serveOn": DAY.isoformat()}
    metric_kinds = [
        ("malformed date", {"date": "26/11/2026", **serve}, "not a date: '26/11/2026'", "date"),
        (
            "another day's row",
            {"date": "2026-11-25", **serve},
            "row dated 2026-11-25 in the extraction of 2026-11-26",
            "date",
        ),
        (
            "unknown channel",
            {"channel": "PLACEMENT_CHANNEL_MYSPACE"},
            "unknown channel 'PLACEMENT_CHANNEL_MYSPACE'",
            "channel",
        ),
        ("unknown country", {"country": "XX"}, "unknown country code 'XX'", "country"),
        ("negative views", {"views": "-3"}, "negative value -3", "views"),
        ("fractional views", {"views": "12.5"}, "not an integer: '12.5'", "views"),
        (
            "more unique viewers than views",
            {"views": "4", "uniqueViewers": "9"},
            "more unique viewers (9) than views (4)",
            "uniqueViewers",
        ),
        (
            "completion rate above 1",
            {"completionRate": 1.5},
            "completion rate 1.5 outside 0..1",
            "completionRate",
        ),
        (
            "negative engagement rate",
            {"engagementRate": -0.1},
            "negative engagement rate -0.1",
            "engagementRate",
        ),
        (
            "negative average view duration",
            {"avgViewDurationSeconds": -2.0},
            "negative average view duration -2.0",
            "avgViewDurationSeconds",
        ),
        (
            "negative watch time",
            {"watchTimeSeconds": "-60"},
            "negative value -60",
            "watchTimeSeconds",
        ),
    ]
    for name, changes, reason, field in metric_kinds:
        record = {**metric, "assetId": new_id("metric " + name), **changes}
        fixtures["metrics"].append(record)
        kinds.append(
            Kind(f"metric: {name}", "bytenite", "daily_metrics", record["assetId"], reason, field)
        )
    fixtures["metrics"].append(dict(metric))  # a row of the day served twice
    kinds.append(
        Kind(
            "metric: row served twice",
            "bytenite",
            "daily_metrics",
            metric["assetId"],
            "duplicate key in this extraction",
            "metric_date,asset_id,channel,country",
        )
    )
    return fixtures, kinds


# --------------------------------------------------------------------------------------------


class Runs:
    clean: Lake
    bad: Lake
    kinds: list[Kind]
    families: dict[str, set[int]]
    bytenite_fixtures: dict[str, Any]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Runs:
    base = tmp_path_factory.mktemp("bad-input")
    out = Runs()
    clean = Emulators(seed=SEED, works=WORKS, today=TODAY)
    bad = Emulators(seed=SEED, works=WORKS, today=TODAY)
    try:
        out.clean, out.bad = Lake(base / "clean"), Lake(base / "bad")
        _extract(clean, out.clean)
        consonance_fixtures, consonance_kinds, out.families = _consonance_kinds(out.clean)
        out.bytenite_fixtures, bytenite_kinds = _bytenite_kinds(bad)
        bad.consonance_fixtures(consonance_fixtures)
        r = requests.post(
            bad.bytenite.url + "/_emulator/fixtures", json=out.bytenite_fixtures, timeout=30
        )
        assert r.status_code == 200, r.text
        out.kinds = consonance_kinds + bytenite_kinds
        _extract(bad, out.bad)
        validate_raw(out.bad, DAY)  # the raw quality gate passes on what landed
        build_warehouse(out.bad, day=DAY)
        yield out
    finally:
        clean.stop()
        bad.stop()


def test_at_least_forty_kinds_across_both_systems(runs: Runs):
    names = [k.name for k in runs.kinds]
    assert len(names) == len(set(names)) == 52, Counter(names).most_common(3)
    by_source = Counter(k.source for k in runs.kinds)
    assert by_source["consonance"] >= 20 and by_source["bytenite"] >= 20


def test_each_kind_is_quarantined_with_its_reason(runs: Runs):
    quarantined = _quarantine(runs.bad)
    index = Counter(
        (q["source"], q["entity"], q["record_key"], q["reason"], q["field"]) for q in quarantined
    )
    missing = [
        (k.name, [q for q in quarantined if q["record_key"] == k.key and q["entity"] == k.entity])
        for k in runs.kinds
        if index[(k.source, k.entity, k.key, k.reason, k.field)] != 1
    ]
    assert missing == []


def _keys(lake: Lake, source: str, entity: str) -> list[Any]:
    if entity == "daily_metrics":
        return [(r["asset_id"], r["channel"], r["country"]) for r in _raw(lake, source, entity)]
    return [r[KEYS[(source, entity)]] for r in _raw(lake, source, entity)]


def test_every_other_record_lands_exactly_as_in_a_clean_run(runs: Runs):
    fam = runs.families
    clean_products = _raw(runs.clean, "consonance", "products")
    clean_links = _raw(runs.clean, "consonance", "web_links")
    clean_texts = _raw(runs.clean, "consonance", "marketing_texts")
    lost_products = {p["product_id"] for p in clean_products if p["work_id"] in fam["works"]} | fam[
        "products"
    ]
    expected_missing = {
        "works": fam["works"],
        "products": lost_products,
        "web_links": {
            link["web_link_id"]
            for link in clean_links
            if link["product_id"] in lost_products or link["work_id"] in fam["works"]
        }
        | fam["links"],
        "marketing_texts": {
            t["marketing_text_id"] for t in clean_texts if t["work_id"] in fam["works"]
        },
    }
    for entity, missing in expected_missing.items():
        clean_keys = _keys(runs.clean, "consonance", entity)
        bad_keys = _keys(runs.bad, "consonance", entity)
        assert len(bad_keys) == len(set(bad_keys)), entity  # every record at most once
        assert missing and missing <= set(clean_keys), entity
        assert set(bad_keys) == set(clean_keys) - missing, entity
        # and the records that landed are the clean run's records, field for field
        key = KEYS[("consonance", entity)]
        clean_rows = [
            json.dumps(
                {k: v for k, v in r.items() if k != "_extracted_at"}, default=str, sort_keys=True
            )
            for r in _raw(runs.clean, "consonance", entity)
            if r[key] not in missing
        ]
        bad_rows = [
            json.dumps(
                {k: v for k, v in r.items() if k != "_extracted_at"}, default=str, sort_keys=True
            )
            for r in _raw(runs.bad, "consonance", entity)
        ]
        assert sorted(bad_rows) == sorted(clean_rows), entity
    # ByteNite: fixture records were extra; the real ones all landed, once, unchanged
    for entity in ("assets", "placements", "daily_metrics"):
        clean_keys = _keys(runs.clean, "bytenite", entity)
        bad_keys = _keys(runs.bad, "bytenite", entity)
        assert sorted(bad_keys) == sorted(clean_keys), entity


def test_children_of_a_rejected_parent_are_quarantined_with_the_parents_fate(runs: Runs):
    fam = runs.families
    quarantined = _quarantine(runs.bad)
    clean_products = _raw(runs.clean, "consonance", "products")
    clean_links = _raw(runs.clean, "consonance", "web_links")
    clean_texts = _raw(runs.clean, "consonance", "marketing_texts")
    rejected_work_products = {
        p["product_id"] for p in clean_products if p["work_id"] in fam["works"]
    }
    by_reason = Counter((q["entity"], q["reason"]) for q in quarantined)
    dup_work_products = sum(p["work_id"] in fam["dup_work"] for p in clean_products)
    dup_work_texts = sum(t["work_id"] in fam["dup_work"] for t in clean_texts)
    dup_work_links = sum(link["work_id"] in fam["dup_work"] for link in clean_links)
    assert (
        by_reason[("products", "its work was quarantined")]
        == len(rejected_work_products) + dup_work_products
    )
    assert by_reason[("marketing_texts", "its work was quarantined")] == (
        sum(t["work_id"] in fam["works"] for t in clean_texts) + dup_work_texts
    )
    links_of_rejected_works = sum(link["work_id"] in fam["works"] for link in clean_links)
    assert links_of_rejected_works > 0
    assert (
        by_reason[("web_links", "its work was quarantined")]
        == links_of_rejected_works + dup_work_links
    )
    assert by_reason[("web_links", "its product was quarantined")] == sum(
        link["product_id"] in fam["products"] for link in clean_links
    )
    # nothing else is in quarantine: every row is a kind or a child of one
    kind_rows = len(runs.kinds)
    children = (
        by_reason[("products", "its work was quarantined")]
        + by_reason[("marketing_texts", "its work was quarantined")]
        + by_reason[("web_links", "its work was quarantined")]
        + by_reason[("web_links", "its product was quarantined")]
    )
    assert len(quarantined) == kind_rows + children


def test_the_build_used_exactly_the_good_rows(runs: Runs):
    import duckdb

    con = duckdb.connect(str(runs.bad.warehouse), read_only=True)
    try:
        titles = con.execute("select count(*) from marts.dim_title").fetchone()[0]
        views = con.execute("select sum(views) from marts.fct_video_daily").fetchone()[0]
    finally:
        con.close()
    clean_works = len(_raw(runs.clean, "consonance", "works"))
    assert titles == clean_works - len(runs.families["works"])
    clean_views = sum(r["views"] for r in _raw(runs.clean, "bytenite", "daily_metrics"))
    assert views == clean_views  # no malformed metric row was counted


# --------------------------------------------------------------------------------------------
# Stopped by a gate instead
# --------------------------------------------------------------------------------------------


def _one_world(tmp_path: Path) -> tuple[Emulators, Lake]:
    return Emulators(seed=SEED, works=WORKS, today=TODAY), Lake(tmp_path / "lake")


@pytest.mark.parametrize(
    ("kind", "suite", "expectation"),
    [
        (
            "two products sharing one ISBN-13",
            "raw.consonance.products.extracted_on=2026-11-26",
            "expect_column_values_to_be_unique",
        ),
        (
            "unknown marketing tier",
            "raw.consonance.works.extracted_on=2026-11-26",
            "expect_column_values_to_be_in_set",
        ),
        (
            "unknown video format",
            "raw.bytenite.assets.snapshot_on=2026-11-26",
            "expect_column_values_to_match_regex",
        ),
        (
            "a day-long video",
            "raw.bytenite.assets.snapshot_on=2026-11-26",
            "expect_column_values_to_be_between",
        ),
    ],
)
def test_records_a_quality_gate_stops(tmp_path: Path, kind: str, suite: str, expectation: str):
    """Valid for the contract, wrong for the raw suites: the raw gate stops the run before the
    build (so before any write-back), naming the suite and the expectation."""
    e, lake = _one_world(tmp_path)
    try:
        if kind == "two products sharing one ISBN-13":
            products = e.graphql("{ products { id isbn { isbn13 } } }")["products"]
            source, other = products[0], products[1]
            e.consonance_fixtures(
                {
                    "products": [
                        {"id": other["id"], "overrides": {"isbn13": source["isbn"]["isbn13"]}}
                    ]
                }
            )
        elif kind == "unknown marketing tier":
            work = e.graphql("{ works { id } }")["works"][0]
            e.consonance_fixtures(
                {"works": [{"id": work["id"], "overrides": {"marketingTier": "Platinum"}}]}
            )
        else:
            asset = e.bytenite_list("/v1/customer/assets")[0]
            change = (
                {"format": "MOV"}
                if kind == "unknown video format"
                else {"durationSeconds": 90000.0}
            )
            fixture = {"assets": [{**asset, "id": str(uuid.uuid5(NS, kind)), **change}]}
            r = requests.post(e.bytenite.url + "/_emulator/fixtures", json=fixture, timeout=30)
            assert r.status_code == 200
        _extract(e, lake)
        with pytest.raises(QualityError) as raised:
            validate_raw(lake, DAY)
        message = str(raised.value)
        assert message.startswith("raw quality suites failed")
        failing = [line for line in message.splitlines()[1:] if line.strip()]
        assert len(failing) == 1, message
        assert failing[0].strip().startswith(f"{suite}: {expectation}"), message
        assert not lake.warehouse.exists()  # nothing was built from it
    finally:
        e.stop()


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        (
            "an asset without its publishing status",
            "schema contract broken at assets.publishingStatus (record {id}): required field is missing",
        ),
        (
            "a metric row whose views are a list",
            "schema contract broken at daily_metrics.views (record {id}): expected int64, got list '[3]'",
        ),
    ],
)
def test_records_that_break_the_contract_stop_the_extraction_before_anything_is_visible(
    tmp_path: Path, kind: str, message: str
):
    e, lake = _one_world(tmp_path)
    try:
        if kind.startswith("an asset"):
            asset = {
                k: v
                for k, v in e.bytenite_list("/v1/customer/assets")[0].items()
                if k != "publishingStatus"
            }
            asset["id"] = str(uuid.uuid5(NS, kind))
            fixture, ident = {"assets": [asset]}, asset["id"]
        else:
            metric = {
                **e.bytenite_metrics(DAY)[0],
                "views": [3],
                "assetId": str(uuid.uuid5(NS, kind)),
            }
            fixture, ident = {"metrics": [metric]}, metric["assetId"]
        r = requests.post(e.bytenite.url + "/_emulator/fixtures", json=fixture, timeout=30)
        assert r.status_code == 200
        with pytest.raises(ContractError) as raised:
            if kind.startswith("an asset"):
                extract_bytenite_snapshot(e.bytenite_endpoint(), lake, DAY)
            else:
                extract_bytenite_metrics(e.bytenite_endpoint(), lake, DAY, DAY)
        assert str(raised.value) == message.format(id=ident)
        assert list(lake.raw.glob("**/*.parquet")) == []  # nothing made visible
    finally:
        e.stop()
