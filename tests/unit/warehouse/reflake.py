"""The reference lake: six titles, twelve assets, three metric dates, every case the models handle.

Titles (current state, after dedupe):

====  ===========================================================  =========================
work  products (form, ONIX 64 status, rights)                      title rights
====  ===========================================================  =========================
1001  P100 BB 04 world · P101 DG 04 world excl US,CA ·             WORLD (one world product
      P102 AJ 04 GB,IE,AU  (P103 BC deleted upstream in E2)         excludes nothing)
1002  P200 BC 04 excl US,CA,PH · P201 DG 04 excl US,PH ·            WORLD_EXCEPT [PH] (US is
      P202 BB 11 world · P203 AC 02 US                              rescued by P203)
1003  P300 BB 04 GB,IE,AU,NZ excl NZ · P301 DG 02 GB,CA ·           TERRITORIES [AU,CA,GB,IE]
      P302 BC 07 US
1004  P400 BB 11 · P401 DG 17 · P402 AJ 01                          NONE, WITHDRAWN
1005  P500 BB 07 (04 in E1; the backfill E0, extracted last, says   NONE, INACTIVE
      07), tier Key from E0
1006  no products                                                  NONE, NO_PRODUCTS
====  ===========================================================  =========================

Consonance batches: E1 (2026-03-01, extracted 03-01), E2 (2026-03-02, extracted 03-02: 1001
renamed, P103 / text 7002 / link 8002 gone), E0 (2026-02-27 backfill, extracted 03-03 09:00:
1005 changed). ByteNite snapshots: S1 (03-02), S2 (03-03, extracted 07:00), S0 (03-01 backfill,
extracted 03-03 10:00 — the newest extraction, so the current state).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lakebuilder import (
    LakeBuilder,
    asset,
    marketing_text,
    metric,
    placement,
    product,
    subject,
    ts,
    web_link,
    work,
)

D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)


def isbn(product_id: int) -> str:
    return f"9781900{product_id:06d}"


UNKNOWN_ISBN = "9781800000009"

#: The hand-worked truth the SQL must reproduce: asset → (work, product, method, reason, basis).
EXPECTED_MATCH: dict[str, tuple[int | None, int | None, str, str | None, str]] = {
    "A1": (1001, 100, "WORK_ID_LABEL", None, "WORK"),
    "A2": (1002, 200, "ISBN13_LABEL", None, "WORK"),
    "A3": (1001, 102, "WORK_ID_LABEL", None, "AUDIO_PRODUCT"),
    "A4": (1002, 203, "AUDIO_ISBN13_LABEL", None, "AUDIO_PRODUCT"),
    "A5": (None, None, "UNMATCHED", "UNKNOWN_WORK_ID", "UNMATCHED"),
    "A6": (None, None, "UNMATCHED", "UNKNOWN_ISBN", "UNMATCHED"),
    "A7": (None, None, "UNMATCHED", "NO_LABELS", "UNMATCHED"),
    "A8": (1004, None, "WORK_ID_LABEL", None, "WORK"),
    "A10": (1001, None, "WORK_ID_LABEL", None, "AUDIO_PRODUCT_UNKNOWN"),
    "A11": (1003, None, "WORK_ID_LABEL", None, "WORK"),
    "A12": (None, None, "UNMATCHED", "UNKNOWN_WORK_ID", "UNMATCHED"),
    "A13": (1002, None, "WORK_ID_LABEL", None, "WORK"),
    # seen only in the metrics (in the older snapshot S1, not in the current one)
    "A9": (None, None, "UNMATCHED", "NOT_IN_SNAPSHOT", "UNMATCHED"),
}

#: Hand-worked title rights: work → (title_status, rights_status, whitelist, blacklist, anywhere).
EXPECTED_WORK_RIGHTS: dict[int, tuple[str, str, list[str], list[str], bool]] = {
    1001: ("LIVE", "WORLD", [], [], True),
    1002: ("LIVE", "WORLD_EXCEPT", [], ["PH"], True),
    1003: ("LIVE", "TERRITORIES", ["AU", "CA", "GB", "IE"], [], True),
    1004: ("WITHDRAWN", "NONE", [], [], False),
    1005: ("INACTIVE", "NONE", [], [], False),
    1006: ("NO_PRODUCTS", "NONE", [], [], False),
}

#: Hand-worked effective asset rights: asset → (whitelist, blacklist, anywhere).
EXPECTED_ASSET_RIGHTS: dict[str, tuple[list[str], list[str], bool]] = {
    "A1": ([], [], True),
    "A2": ([], ["PH"], True),
    "A3": (["AU", "GB", "IE"], [], True),
    "A4": (["US"], [], True),
    "A5": ([], [], False),
    "A6": ([], [], False),
    "A7": ([], [], False),
    "A8": ([], [], False),
    "A9": ([], [], False),
    "A10": ([], [], False),
    "A11": (["AU", "CA", "GB", "IE"], [], True),
    "A12": ([], [], False),
    "A13": ([], ["PH"], True),
}


def allowed(asset_id: str, country: str) -> bool:
    """The rights rule, written independently of the SQL."""
    whitelist, blacklist, anywhere = EXPECTED_ASSET_RIGHTS[asset_id]
    return anywhere and country not in blacklist and (not whitelist or country in whitelist)


@dataclass
class ReferenceLake:
    root: Path
    metrics: dict[date, list[dict[str, Any]]] = field(default_factory=dict)
    builder: LakeBuilder | None = None

    def metric_rows(self) -> list[dict[str, Any]]:
        """Every metric row with its date and the channel without its prefix."""
        out = []
        for day, rows in sorted(self.metrics.items()):
            for r in rows:
                out.append(
                    {
                        **r,
                        "metric_date": day,
                        "channel": r["channel"].removeprefix("PLACEMENT_CHANNEL_"),
                    }
                )
        return out


def _consonance(b: LakeBuilder) -> None:
    spring = {"season_name": "Spring 2026", "imprint_id": 1, "imprint_name": "Harbour Press"}
    w1_subjects = [
        subject("BISAC", "FIC019000", "FICTION / Literary"),
        subject("BISAC", "FIC000000", "FICTION / General", main=True),
        subject("THEMA", "FBA", "Modern & contemporary fiction"),
    ]
    w1_products = [
        product(100, 1001, isbn(100), "BB", "04", pub=date(2026, 3, 1)),
        product(101, 1001, isbn(101), "DG", "04", not_for_sale=("US", "CA"), pub=date(2026, 3, 1)),
        product(
            102, 1001, isbn(102), "AJ", "04", for_sale=("GB", "IE", "AU"), pub=date(2026, 3, 31)
        ),
    ]
    w2 = work(
        1002,
        "Paper Tide",
        season_name="Spring 2026",
        imprint_id=2,
        imprint_name="Northlight Books",
        marketing_tier_name="Key",
        project_stage_name="Published",
    )
    w2_products = [
        product(
            200, 1002, isbn(200), "BC", "04", not_for_sale=("US", "CA", "PH"), pub=date(2026, 2, 15)
        ),
        product(201, 1002, isbn(201), "DG", "04", not_for_sale=("US", "PH"), pub=date(2026, 2, 15)),
        product(202, 1002, isbn(202), "BB", "11", pub=date(2026, 2, 1)),
        product(203, 1002, isbn(203), "AC", "02", for_sale=("US",), pub=date(2026, 5, 1)),
    ]
    w3 = work(
        1003,
        "Glass Orchard",
        season_name="Summer 2026",
        imprint_id=1,
        imprint_name="Harbour Press",
        marketing_tier_name="Core",
        subjects=[subject("THEMA", "FF", "Crime & mystery fiction", main=True)],
    )
    w3_products = [
        product(
            300,
            1003,
            isbn(300),
            "BB",
            "04",
            for_sale=("GB", "IE", "AU", "NZ"),
            not_for_sale=("NZ",),
            pub=date(2026, 6, 1),
        ),
        product(
            301,
            1003,
            isbn(301),
            "DG",
            "02",
            for_sale=("GB", "CA"),
            planned_publication_date=date(2026, 6, 1),
        ),
        product(302, 1003, isbn(302), "BC", "07", for_sale=("US",), pub=date(2020, 1, 1)),
    ]
    w4 = work(
        1004,
        "Silent Letters",
        season_name="Spring 2026",
        imprint_id=2,
        imprint_name="Northlight Books",
        marketing_tier_name="Core",
    )
    w4_products = [
        product(400, 1004, isbn(400), "BB", "11", pub=date(2026, 1, 10)),
        product(401, 1004, isbn(401), "DG", "17", pub=date(2026, 1, 10)),
        product(402, 1004, isbn(402), "AJ", "01", pub=date(2025, 12, 1)),
    ]
    w5 = dict(
        season_name="Winter 2025",
        imprint_id=3,
        imprint_name="Kestrel",
        project_stage_name="Backlist",
    )
    w6 = work(
        1006,
        "Untitled Proposal",
        imprint_id=3,
        imprint_name="Kestrel",
        marketing_tier_name="Core",
        project_stage_name="Proposal",
    )

    # E1: the first (full) extraction
    b.consonance(
        D1,
        ts("2026-03-01T06:00"),
        works=[
            work(
                1001,
                "Working Title",
                marketing_tier_name="Lead",
                project_stage_name="Pre-launch",
                subjects=w1_subjects,
                **spring,
            ),
            w2,
            w3,
            w4,
            work(1005, "Hollow Atlas", marketing_tier_name="Core", **w5),
            w6,
        ],
        products=[
            *w1_products,
            product(103, 1001, isbn(103), "BC", "04", pub=date(2027, 3, 1)),
            *w2_products,
            *w3_products,
            *w4_products,
            product(500, 1005, isbn(500), "BB", "04", pub=date(2015, 1, 1)),
        ],
        marketing_texts=[
            marketing_text(7001, 1001, "DESCRIPTION", "<p>Old copy</p>"),
            marketing_text(7002, 1001, "SHORT_DESCRIPTION", "<p>Short</p>"),
            marketing_text(7003, 1002, "DESCRIPTION", "<p>Tide</p>"),
        ],
        web_links=[
            web_link(8001, 1001, 100, "https://harbour.example/books/100"),
            web_link(8002, 1001, 103, "https://harbour.example/books/103"),
            web_link(8003, 1002, 200, "https://northlight.example/books/200"),
        ],
    )
    # E2: work 1001 changed (renamed); its paperback, short text and one link were deleted
    b.consonance(
        D2,
        ts("2026-03-02T06:00"),
        works=[
            work(
                1001,
                "Salt Harbour",
                subtitle="A Novel",
                marketing_tier_name="Lead",
                project_stage_name="Published",
                subjects=w1_subjects,
                **spring,
            ),
        ],
        products=w1_products,
        marketing_texts=[marketing_text(7001, 1001, "DESCRIPTION", "<p>New copy</p>")],
        web_links=[web_link(8001, 1001, 100, "https://harbour.example/books/100")],
    )
    # E0: a backfill of an older date, run after E2: its versions are the newest extraction
    b.consonance(
        date(2026, 2, 27),
        ts("2026-03-03T09:00"),
        works=[work(1005, "Hollow Atlas", marketing_tier_name="Key", **w5)],
        products=[product(500, 1005, isbn(500), "BB", "07", pub=date(2015, 1, 1))],
    )


def _bytenite(b: LakeBuilder) -> None:
    current_assets = [
        asset("A1", work_label="1001", isbn_label=isbn(100)),
        asset("A2", deliverable="SOCIAL_CUTDOWN", isbn_label=isbn(200)),
        asset(
            "A3",
            deliverable="AUDIOBOOK_SAMPLE",
            work_label="1001",
            isbn_label=isbn(100),
            audio_isbn_label=isbn(102),
        ),
        asset("A4", deliverable="AUDIOBOOK_SAMPLE", audio_isbn_label=isbn(203)),
        asset("A5", work_label="999999"),
        asset("A6", deliverable="TEASER", isbn_label=UNKNOWN_ISBN),
        asset("A7", deliverable=None, status="READY"),
        asset("A8", work_label="1004"),
        asset("A10", deliverable="NARRATED_EXCERPT", work_label="1001", isbn_label=isbn(100)),
        asset("A11", work_label="1003", status="PUBLISHED"),
        asset("A12", work_label="abc", status="DRAFT"),
        asset("A13", work_label="1002", isbn_label=isbn(100)),
    ]
    current_placements = [
        placement("PL1", "A1", "YOUTUBE"),
        placement("PL2", "A2", "TIKTOK"),
        placement("PL3", "A2", "INSTAGRAM", blacklist=("PH",)),
        placement("PL4", "A3", "WEBSITE", whitelist=("GB", "US")),
        placement("PL5", "A11", "YOUTUBE"),
        placement("PL6", "A8", "WEBSITE", whitelist=("GB",)),
        placement("PL7", "A8", "YOUTUBE", "DISABLED"),
        placement("PL8", "A5", "YOUTUBE"),
        placement("PL9", "A4", "RETAILER", "PENDING", whitelist=("US",)),
    ]
    stale_assets = [
        {**a, "publishing_status": "PUBLISHING_STATUS_UNPUBLISHED"} for a in current_assets
    ]
    # S1 and S2: older extractions (A9 still existed in S1; S2 has everything unpublished)
    b.bytenite_snapshot(
        D2,
        ts("2026-03-02T07:00"),
        assets=[*stale_assets, asset("A9")],
        placements=[placement("PL99", "A9", "YOUTUBE")],
    )
    b.bytenite_snapshot(
        D3, ts("2026-03-03T07:00"), assets=stale_assets, placements=current_placements[:2]
    )
    # S0: a backfill of 03-01 run later the same day — the newest extraction, so the current state
    b.bytenite_snapshot(
        D1, ts("2026-03-03T10:00"), assets=current_assets, placements=current_placements
    )


METRICS: dict[date, list[dict[str, Any]]] = {
    D1: [
        metric(
            "A1",
            "YOUTUBE",
            "GB",
            100,
            unique_viewers=80,
            watch_time_seconds=5000,
            completion_rate=0.5,
            likes=10,
            comments=2,
            shares=3,
        ),
        metric(
            "A1",
            "YOUTUBE",
            "US",
            50,
            unique_viewers=40,
            watch_time_seconds=2000,
            completion_rate=0.4,
            likes=5,
            shares=1,
        ),
        metric("A2", "TIKTOK", "PH", 30, completion_rate=0.2, likes=1, comments=1, shares=1),
        metric("A2", "TIKTOK", "GB", 20, completion_rate=0.25),
        metric("A3", "WEBSITE", "US", 7, completion_rate=1.0),
        metric("A5", "YOUTUBE", "GB", 11),
    ],
    D2: [
        metric("A1", "YOUTUBE", "GB", 200, completion_rate=0.75, likes=20),
        metric("A3", "WEBSITE", "GB", 9, completion_rate=0.0),
        metric("A4", "RETAILER", "US", 4),
        metric("A2", "TIKTOK", "ZZ", 3),
        metric("A9", "YOUTUBE", "GB", 5),
    ],
    D3: [
        metric("A11", "YOUTUBE", "US", 13, completion_rate=0.1),
        metric("A1", "YOUTUBE", "GB", 300, completion_rate=0.6, comments=4),
        metric("A8", "WEBSITE", "GB", 2),
    ],
}


def write_reference_lake(root: Path) -> ReferenceLake:
    b = LakeBuilder(root)
    _consonance(b)
    _bytenite(b)
    ref = ReferenceLake(root, {}, b)
    for day, rows in METRICS.items():
        b.metrics(day, ts(f"{day.isoformat()}T23:30"), rows)
        ref.metrics[day] = rows
    return ref
