"""Issue 18, flow 4: the placement rules a publisher states in the business rules, one title each:
trailers go to campaign landing pages, a children's imprint is kept off TikTok and X, a sales
embargo date holds placements back, an out-of-print date ends them. The real warehouse build
turns a small lake into ``rev_bytenite__placements``; expected states are written out here."""

from __future__ import annotations

import json
from datetime import date, timedelta

import duckdb
import pytest

from tests.fixtures.lake.lakebuilder import LakeBuilder, asset, placement, product, ts, work
from titlevideo.warehouse import build_warehouse

pytestmark = pytest.mark.unit

DAY = date(2026, 11, 26)
CHILDREN = "Orchard Children's"  # the packaged rules keep it off TIKTOK and X


def aid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


@pytest.fixture(scope="module")
def desired(tmp_path_factory) -> dict[tuple[str, str], bool]:
    lake = LakeBuilder(tmp_path_factory.mktemp("placement-rules"))
    titles = {
        # work: (imprint, deliverable, product dates, existing placements)
        2001: ("Harbour Press", "TRAILER", {}, []),
        2002: (CHILDREN, "SOCIAL_CUTDOWN", {}, [("TIKTOK", "ENABLED")]),
        2003: ("Harbour Press", "SOCIAL_CUTDOWN", {}, []),
        2004: (
            "Harbour Press",
            "TRAILER",
            {"sales_embargo_date": DAY + timedelta(days=5)},
            [("YOUTUBE", "ENABLED")],
        ),
        2005: ("Harbour Press", "TRAILER", {"out_of_print_date": DAY}, [("YOUTUBE", "ENABLED")]),
        2006: (
            "Harbour Press",
            "TRAILER",
            {
                "sales_embargo_date": DAY - timedelta(days=1),
                "out_of_print_date": DAY + timedelta(days=1),
            },
            [],
        ),
    }
    works, products, assets, placements = [], [], [], []
    for w, (imprint, deliverable, dates, existing) in titles.items():
        works.append(
            work(
                w,
                f"Title {w}",
                imprint_name=imprint,
                project_stage_name="Published",
                marketing_tier_name="Key",
            )
        )
        products.append(
            product(10 * w, w, f"978000001{w:04d}", "BB", "04", pub=date(2026, 1, 1), **dates)
        )
        assets.append(asset(aid(w), deliverable=deliverable, work_label=str(w)))
        for n, (channel, state) in enumerate(existing):
            placements.append(placement(f"p-{w}-{n}", aid(w), channel, state))
    lake.consonance(DAY, ts("2026-11-27T01:00"), works=works, products=products)
    lake.bytenite_snapshot(DAY, ts("2026-11-27T01:05"), assets=assets, placements=placements)
    build_warehouse(lake.lake, day=DAY, validate=None)
    con = duckdb.connect(str(lake.lake.warehouse), read_only=True)
    try:
        rows = con.execute(
            "select key, desired_json from reverse.rev_bytenite__placements"
        ).fetchall()
    finally:
        con.close()
    out = {}
    for key, desired_json in rows:
        asset_id, channel = key.split("|")
        out[(asset_id, channel)] = json.loads(desired_json)["enabled"]
    return out


def placed(desired, w: int) -> dict[str, bool]:
    return {c: on for (a, c), on in desired.items() if a == aid(w)}


def test_trailers_go_to_campaign_landing_pages(desired):
    assert placed(desired, 2001) == {
        "WEBSITE": True,
        "RETAILER": True,
        "YOUTUBE": True,
        "CAMPAIGN_LANDING": True,
    }


def test_a_childrens_imprint_is_kept_off_tiktok(desired):
    # the existing TikTok placement is disabled, none is created; Instagram is placed
    assert placed(desired, 2002) == {"TIKTOK": False, "INSTAGRAM": True}
    # the same deliverable of another imprint goes to TikTok
    assert placed(desired, 2003) == {"TIKTOK": True, "INSTAGRAM": True}


def test_a_sales_embargo_holds_placements_back(desired):
    # nothing new before the embargo date; what was enabled by hand is disabled
    assert placed(desired, 2004) == {"YOUTUBE": False}


def test_an_out_of_print_date_ends_placements_from_that_day(desired):
    assert placed(desired, 2005) == {"YOUTUBE": False}


def test_inside_the_window_a_title_is_placed(desired):
    # embargo lifted yesterday, out of print tomorrow: placed today
    assert set(placed(desired, 2006).values()) == {True}
    assert len(placed(desired, 2006)) == 4
