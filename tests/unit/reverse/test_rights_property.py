"""Property (issue 6): whatever the rights, no enabled placement ever covers a country where the
title (its audio product, for audio deliverables) is not for sale.

Hypothesis draws random titles: products with random statuses and for-sale / not-for-sale lists,
assets (work-level and audio), and placements that already exist with random regions and states.
The real warehouse build turns them into ``rev_bytenite__placements``; the desired state is
applied to the placements as the sync would, and every enabled placement of a matched asset is
checked against the rights worked out here in plain Python.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.lake.lakebuilder import LakeBuilder, asset, placement, product, ts, work
from titlevideo.warehouse import build_warehouse

pytestmark = pytest.mark.unit

COUNTRIES = ("GB", "US", "CA", "AU", "DE", "FR")
ELSEWHERE = "JP"  # stands for every country no list names
UNIVERSE = (*COUNTRIES, ELSEWHERE)
STATUSES = ("02", "04", "04", "01", "07", "11", "15", "16", "17")
DAY = date(2026, 11, 26)

countries = st.lists(st.sampled_from(COUNTRIES), unique=True, max_size=4).map(tuple)
rights = st.tuples(
    st.sampled_from(STATUSES), countries, countries
)  # status, for_sale, not_for_sale
regions = st.tuples(countries, countries, st.booleans())  # whitelist, blacklist, enabled


@st.composite
def titles(draw):
    n_works = draw(st.integers(1, 3))
    out = []
    for w in range(n_works):
        books = draw(st.lists(rights, min_size=1, max_size=3))
        audio = draw(st.lists(rights, max_size=1))
        n_assets = draw(st.integers(1, 2))
        assets = []
        for a in range(n_assets):
            is_audio = bool(audio) and draw(st.booleans())
            existing = draw(st.lists(regions, max_size=2))
            assets.append((a, is_audio, existing))
        out.append((w, books, audio, assets))
    return out


def _allowed(products: list[tuple[str, tuple[str, ...], tuple[str, ...]]], country: str) -> bool:
    """The design's rule, written independently: some live product is for sale in the country."""
    for status, for_sale, not_for_sale in products:
        if status not in ("02", "04"):
            continue
        if country in not_for_sale:
            continue
        if not for_sale or country in for_sale:
            return True
    return False


def _covers(whitelist: list[str], blacklist: list[str], country: str) -> bool:
    return country not in blacklist and (not whitelist or country in whitelist)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(world=titles())
def test_no_enabled_placement_covers_a_country_where_the_title_is_not_for_sale(
    world, tmp_path_factory
):
    root = tmp_path_factory.mktemp("rights")
    lake = LakeBuilder(root)
    works, products, assets, placements, expected_rights = [], [], [], [], {}
    channels = ("WEBSITE", "YOUTUBE")  # WEBSITE is configured for TRAILER and AUDIOBOOK_SAMPLE
    for w, books, audio, work_assets in world:
        work_id = 1000 + w
        works.append(
            work(work_id, f"Title {w}", project_stage_name="Published", marketing_tier_name="Key")
        )
        book_rows = []
        for k, (status, fs, nfs) in enumerate(books):
            pid = 10 * work_id + k
            products.append(
                product(
                    pid,
                    work_id,
                    f"97800000{pid:05d}",
                    "BB",
                    status,
                    for_sale=fs,
                    not_for_sale=nfs,
                    pub=date(2026, 1, 1),
                )
            )
            book_rows.append((status, fs, nfs))
        audio_isbn = None
        audio_rows = []
        for status, fs, nfs in audio:
            pid = 10 * work_id + 9
            audio_isbn = f"97800000{pid:05d}"
            products.append(
                product(
                    pid,
                    work_id,
                    audio_isbn,
                    "AJ",
                    status,
                    for_sale=fs,
                    not_for_sale=nfs,
                    pub=date(2026, 1, 1),
                )
            )
            audio_rows.append((status, fs, nfs))
        for a, is_audio, existing in work_assets:
            asset_id = f"00000000-0000-4000-8000-{work_id:06d}{a:06d}"
            deliverable = "AUDIOBOOK_SAMPLE" if is_audio else "TRAILER"
            assets.append(
                asset(
                    asset_id,
                    deliverable=deliverable,
                    work_label=str(work_id),
                    audio_isbn_label=audio_isbn if is_audio else None,
                )
            )
            # the work's live products and all its products, for rights (audio: the audio product only)
            expected_rights[asset_id] = audio_rows if is_audio else [*book_rows, *audio_rows]
            for n, (whitelist, blacklist, enabled) in enumerate(existing):
                placements.append(
                    placement(
                        f"p-{asset_id}-{n}",
                        asset_id,
                        channels[n],
                        "ENABLED" if enabled else "DISABLED",
                        whitelist=whitelist,
                        blacklist=blacklist,
                    )
                )
    lake.consonance(DAY, ts("2026-11-27T01:00"), works=works, products=products)
    lake.bytenite_snapshot(DAY, ts("2026-11-27T01:05"), assets=assets, placements=placements)
    build_warehouse(lake.lake, day=DAY, validate=None)

    # the placements as they stand, then as the sync leaves them
    final = {
        (p["asset_id"], p["channel"].removeprefix("PLACEMENT_CHANNEL_")): (
            p["regions_whitelist"],
            p["regions_blacklist"],
            p["state"] == "PLACEMENT_STATE_ENABLED",
        )
        for p in placements
    }
    con = duckdb.connect(str(lake.lake.warehouse), read_only=True)
    rows = con.execute("select key, desired_json from reverse.rev_bytenite__placements").fetchall()
    con.close()
    for key, desired_json in rows:
        asset_id, channel = key.split("|")
        desired = json.loads(desired_json)
        final[(asset_id, channel)] = (
            desired["regions"]["whitelist"],
            desired["regions"]["blacklist"],
            desired["enabled"],
        )

    for (asset_id, _), (whitelist, blacklist, enabled) in final.items():
        if not enabled:
            continue
        for country in UNIVERSE:
            if _covers(whitelist, blacklist, country):
                assert _allowed(expected_rights[asset_id], country), (
                    asset_id,
                    country,
                    whitelist,
                    blacklist,
                )
