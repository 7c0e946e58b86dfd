"""Issue 18, extraction: each work's supporting resources (the front cover: URL, variant, type)
and the product dates rights windows need (sales embargo, out of print) land in the raw lake,
follow a redesigned cover on its day, and a malformed cover URL is quarantined with its reason.

Expected values are read off the catalogue's own timelines (not the emulator's records)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pyarrow.parquet as pq
import pytest
import requests

from emulators.catalog import World
from emulators.common import ServerThread
from emulators.consonance import DEFAULT_API_KEY, create_app
from titlevideo.config import Lake
from titlevideo.connections import Endpoint
from titlevideo.extract.consonance import extract_consonance

pytestmark = pytest.mark.integration

SEED, WORKS = 7, 250
TODAY = date(2026, 11, 27)
COVERS = "https://images.consonance.example/covers"


@pytest.fixture(scope="module")
def world() -> World:
    return World(SEED, WORKS)


@pytest.fixture
def server() -> Iterator[str]:
    _, app = create_app(seed=SEED, works=WORKS, today=TODAY)
    with ServerThread(app) as s:
        yield s.url


def _extract(url: str, lake: Lake, day: date, mode: str = "auto") -> dict:
    return extract_consonance(
        Endpoint("consonance_default", url, DEFAULT_API_KEY), lake, day, mode=mode, today=day
    )


def _raw(lake: Lake, entity: str, day: date) -> list[dict]:
    path = lake.raw / "consonance" / entity / f"extracted_on={day}" / "data.parquet"
    return pq.read_table(path).to_pylist()


def _clock(url: str, day: date) -> None:
    r = requests.post(f"{url}/_emulator/clock", json={"today": day.isoformat()}, timeout=10)
    assert r.status_code == 200, r.text


def _expected_cover_url(spec, on: date) -> str:
    n = 1 + sum(1 for d in spec.cover_revised_on if d <= on)
    return f"{COVERS}/{spec.id}/front.jpg" if n == 1 else f"{COVERS}/{spec.id}/front-v{n}.jpg"


def test_covers_and_product_dates_land_in_the_lake(server, world, tmp_path):
    lake = Lake(tmp_path)
    _extract(server, lake, TODAY, mode="full")
    works = {r["work_id"]: r for r in _raw(lake, "works", TODAY)}
    products = {r["product_id"]: r for r in _raw(lake, "products", TODAY)}
    assert works and products
    revised = 0
    for i in range(world.works_created_by(TODAY)):
        spec = world.spec(i)
        got = works[spec.id]["supporting_resources"]
        if spec.cover_created_on > TODAY:
            assert got == [], spec.id
            continue
        live = sorted(p.id for p in spec.products if p.created_on <= TODAY)
        assert [
            (r["resource_variant"], r["url"], r["image_content_type"], sorted(r["product_ids"]))
            for r in got
        ] == [("FRONT_COVER", _expected_cover_url(spec, TODAY), "image/jpeg", live)], spec.id
        revised += any(d <= TODAY for d in spec.cover_revised_on)
        for p in spec.products:
            if p.created_on > TODAY:
                continue
            row = products[p.id]
            embargo = row["publication_date"] if spec.strict_on_sale else None
            assert row["sales_embargo_date"] == embargo, p.id
            ends = [d for d, code in p.status if code in ("07", "17")]
            known = (
                ends
                and ends[0] - timedelta(days=90 if dict(p.status)[ends[0]] == "07" else 0) <= TODAY
            )
            assert row["out_of_print_date"] == (ends[0] if known else None), p.id
    assert revised > 0  # the world really has redesigned covers by TODAY
    assert any(r["sales_embargo_date"] for r in products.values())
    assert any(r["out_of_print_date"] for r in products.values())


def test_a_redesigned_cover_is_pulled_by_the_next_daily_run(server, world, tmp_path):
    spec = next(
        s
        for s in (world.spec(i) for i in range(world.works_created_by(TODAY)))
        if s.cover_revised_on and TODAY < s.cover_revised_on[0] < TODAY + timedelta(days=400)
    )
    day = spec.cover_revised_on[0]
    lake = Lake(tmp_path)
    _clock(server, day - timedelta(days=1))
    _extract(server, lake, day - timedelta(days=2), mode="full")
    before = {r["work_id"]: r for r in _raw(lake, "works", day - timedelta(days=2))}
    assert before[spec.id]["supporting_resources"][0]["url"] == f"{COVERS}/{spec.id}/front.jpg"
    _clock(server, day + timedelta(days=1))
    summary = _extract(server, lake, day + timedelta(days=1))  # changed since `day`
    assert summary["mode"] == "daily"
    after = {r["work_id"]: r for r in _raw(lake, "works", day + timedelta(days=1))}
    assert after[spec.id]["supporting_resources"][0]["url"] == f"{COVERS}/{spec.id}/front-v2.jpg"


def test_a_malformed_cover_url_quarantines_its_work_with_the_reason(server, world, tmp_path):
    spec = world.spec(next(i for i in range(WORKS) if world.spec(i).cover_created_on < TODAY))
    cover_id = 600_000 + spec.index
    r = requests.post(
        f"{server}/_emulator/fixtures",
        json={
            "supportingResources": [{"id": cover_id, "overrides": {"url": "ftp://covers/x.jpg"}}]
        },
        timeout=10,
    )
    assert r.status_code == 200, r.text
    lake = Lake(tmp_path)
    _extract(server, lake, TODAY, mode="full")
    assert spec.id not in {r["work_id"] for r in _raw(lake, "works", TODAY)}
    path = lake.quarantine / "consonance" / "works" / f"extracted_on={TODAY}" / "data.parquet"
    bad = pq.read_table(path).to_pylist()
    assert len(bad) == 1
    assert "supportingResources.url" in str(bad[0]) and "ftp://covers/x.jpg" in str(bad[0])
