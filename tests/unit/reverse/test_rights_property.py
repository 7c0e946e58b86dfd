"""Properties (issues 6 and 18): whatever the rights and their time periods,

* no enabled placement ever covers a country where the title (its audio product, for audio
  deliverables) is not for sale;
* no placement is enabled outside a permitted period: on the build's day, some live product the
  asset follows has its promotion window open (from its publication date minus
  ``windows.pre_order_days``, and not before its sales embargo date; until, exclusive, its
  out-of-print date; each bound as the business rules switch it on).

Each run draws :data:`N_TITLES` random titles (10,000) into one lake and builds it once: products
with random statuses, for-sale / not-for-sale lists, publication, embargo and out-of-print dates
around the build's day, assets (work-level and audio), and
placements that already exist with random regions and states. The real warehouse build (dbt)
turns them into ``rev_bytenite__placements``; the desired state is applied to the placements as
the sync would, and every enabled placement of a matched asset is checked against the rights
and windows worked out here in plain Python, for every country. The draw is seeded by ``RIGHTS_SEED`` when
set (to replay a failure: the seed is in every failure message), else by a fresh random seed.
"""

from __future__ import annotations

import json
import os
import random
from datetime import date, timedelta
from typing import Any

import duckdb
import pytest

from tests.fixtures.lake.lakebuilder import LakeBuilder, asset, placement, product, ts, work
from titlevideo.config import load_rules
from titlevideo.warehouse import build_warehouse

pytestmark = pytest.mark.unit

N_TITLES = 10_000
COUNTRIES = ("GB", "US", "CA", "AU", "DE", "FR")
ELSEWHERE = "JP"  # stands for every country no list names
UNIVERSE = (*COUNTRIES, ELSEWHERE)
STATUSES = ("02", "04", "04", "01", "07", "11", "15", "16", "17")
DAY = date(2026, 11, 26)


def _countries(r: random.Random) -> tuple[str, ...]:
    return tuple(r.sample(COUNTRIES, r.randint(0, 4)))


Dates = tuple[date, date | None, date | None]  # publication, sales embargo, out of print


def _dates(r: random.Random) -> Dates:
    """Publication within four months of the build's day either side; an embargo near it on
    two products in five; an out-of-print date within a month of the day on one in three."""
    pub = DAY + timedelta(days=r.randint(-120, 120))
    embargo = pub + timedelta(days=r.randint(-20, 20)) if r.random() < 0.4 else None
    out_of_print = DAY + timedelta(days=r.randint(-30, 30)) if r.random() < 0.33 else None
    return (pub, embargo, out_of_print)


def _rights(r: random.Random) -> tuple[str, tuple[str, ...], tuple[str, ...], Dates]:
    # status, for_sale, not_for_sale, dates
    return (r.choice(STATUSES), _countries(r), _countries(r), _dates(r))


def titles(r: random.Random, n: int) -> list:
    """``n`` titles: (w, books, audio, assets) as the former Hypothesis strategy drew them."""
    out = []
    for w in range(n):
        books = [_rights(r) for _ in range(r.randint(1, 3))]
        audio = [_rights(r) for _ in range(r.randint(0, 1))]
        assets = []
        for a in range(r.randint(1, 2)):
            is_audio = bool(audio) and r.random() < 0.5
            existing = [
                (_countries(r), _countries(r), r.random() < 0.5) for _ in range(r.randint(0, 2))
            ]
            assets.append((a, is_audio, existing))
        out.append((w, books, audio, assets))
    return out


def _allowed(products: list[tuple[Any, ...]], country: str) -> bool:
    """The design's rule, written independently: some live product is for sale in the country."""
    for status, for_sale, not_for_sale, _ in products:
        if status not in ("02", "04"):
            continue
        if country in not_for_sale:
            continue
        if not for_sale or country in for_sale:
            return True
    return False


def _in_period(products: list[tuple[Any, ...]], pre_order_days: int) -> bool:
    """Some live product's promotion window is open on the build's day (the default rules
    respect embargo dates and end at out-of-print dates; the test checks they still do)."""
    for status, _, _, (pub, embargo, out_of_print) in products:
        if status not in ("02", "04"):
            continue
        opens = pub - timedelta(days=pre_order_days)
        if embargo is not None and embargo > opens:
            opens = embargo
        if opens <= DAY and (out_of_print is None or out_of_print > DAY):
            return True
    return False


def _covers(whitelist: list[str], blacklist: list[str], country: str) -> bool:
    return country not in blacklist and (not whitelist or country in whitelist)


def test_no_enabled_placement_covers_a_country_where_the_title_is_not_for_sale(tmp_path):
    rules = load_rules()
    assert rules.respect_sales_embargo and rules.end_at_out_of_print  # what _in_period assumes
    seed = int(os.environ.get("RIGHTS_SEED") or random.SystemRandom().randrange(2**32))
    world = titles(random.Random(seed), N_TITLES)
    lake = LakeBuilder(tmp_path)
    works, products, assets, placements, expected_rights = [], [], [], [], {}
    channels = ("WEBSITE", "YOUTUBE")  # WEBSITE is configured for TRAILER and AUDIOBOOK_SAMPLE
    for w, books, audio, work_assets in world:
        work_id = 1000 + w
        works.append(
            work(work_id, f"Title {w}", project_stage_name="Published", marketing_tier_name="Key")
        )
        book_rows = []
        for k, (status, fs, nfs, (pub, embargo, oop)) in enumerate(books):
            pid = 10 * work_id + k
            products.append(
                product(
                    pid,
                    work_id,
                    f"978{pid:010d}",
                    "BB",
                    status,
                    for_sale=fs,
                    not_for_sale=nfs,
                    pub=pub,
                    sales_embargo_date=embargo,
                    out_of_print_date=oop,
                )
            )
            book_rows.append((status, fs, nfs, (pub, embargo, oop)))
        audio_isbn = None
        audio_rows = []
        for status, fs, nfs, (pub, embargo, oop) in audio:
            pid = 10 * work_id + 9
            audio_isbn = f"978{pid:010d}"
            products.append(
                product(
                    pid,
                    work_id,
                    audio_isbn,
                    "AJ",
                    status,
                    for_sale=fs,
                    not_for_sale=nfs,
                    pub=pub,
                    sales_embargo_date=embargo,
                    out_of_print_date=oop,
                )
            )
            audio_rows.append((status, fs, nfs, (pub, embargo, oop)))
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
    build_warehouse(lake.lake, day=DAY, rules=rules, validate=None)

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

    assert len(works) == N_TITLES and len(rows) > N_TITLES // 2, (seed, len(works), len(rows))
    checked = enabled_count = 0
    for (asset_id, _), (whitelist, blacklist, enabled) in final.items():
        if not enabled:
            continue
        enabled_count += 1
        assert _in_period(expected_rights[asset_id], rules.pre_order_days), (
            f"RIGHTS_SEED={seed}",
            asset_id,
            "enabled outside every permitted period",
        )
        for country in UNIVERSE:
            if _covers(whitelist, blacklist, country):
                checked += 1
                assert _allowed(expected_rights[asset_id], country), (
                    f"RIGHTS_SEED={seed}",
                    asset_id,
                    country,
                    whitelist,
                    blacklist,
                )
    # the properties were exercised: many enabled placements, covering many countries, and many
    # a placement of an asset outside its period (its window not open yet, or closed) disabled
    outside = sum(
        1
        for (asset_id, _), (_, _, enabled) in final.items()
        if not enabled
        and any(_allowed(expected_rights[asset_id], c) for c in UNIVERSE)
        and not _in_period(expected_rights[asset_id], rules.pre_order_days)
    )
    assert checked > N_TITLES and enabled_count > N_TITLES // 4, (seed, checked, enabled_count)
    assert outside > N_TITLES // 50, (seed, outside)
