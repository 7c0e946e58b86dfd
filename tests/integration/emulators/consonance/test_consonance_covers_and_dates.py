"""Covers that change over emulated time, and the product dates rights windows need
(``salesEmbargoDate``, ``outOfPrintDate``; REST ``out_of_print_date``), each checked against the
catalogue's own timelines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from emulators.catalog import at

from .conftest import TODAY

pytestmark = pytest.mark.integration

COVER_Q = (
    "query($w: Int) { work(workSearch: {idEq: $w}) { id supportingResources "
    "{ id url filename resourceVariant imageContentType } } }"
)
DATES_Q = (
    "query($w: Int) { work(workSearch: {idEq: $w}) { products "
    "{ id publicationDate salesEmbargoDate outOfPrintDate onixPublishingStatusCode } } }"
)


def specs(world, until: date):
    return [world.spec(i) for i in range(world.works_created_by(until))]


def test_a_redesigned_cover_changes_url_on_its_day_and_fires_changed_since(emu, world):
    spec = next(
        s
        for s in specs(world, TODAY)
        if s.cover_revised_on and s.cover_revised_on[0] <= TODAY + timedelta(days=300)
    )
    day = spec.cover_revised_on[0]
    base = f"https://images.consonance.example/covers/{spec.id}"
    emu.set_today(day - timedelta(days=1))
    before = emu.data(COVER_Q, {"w": spec.id})["work"]["supportingResources"]
    emu.set_today(day)
    after = emu.data(COVER_Q, {"w": spec.id})["work"]["supportingResources"]
    assert [(r["url"], r["resourceVariant"]) for r in before] == [
        (f"{base}/front.jpg", "FRONT_COVER")
    ]
    assert [(r["url"], r["filename"]) for r in after] == [
        (f"{base}/front-v2.jpg", f"{spec.id}-front-cover-v2.jpg")
    ]
    assert before[0]["id"] == after[0]["id"]  # the same resource, a new image
    changed = emu.all_pages("works", "id", f'changedSince: "{day}"')
    assert spec.id in [w["id"] for w in changed]


def test_some_covers_change_and_most_do_not(world):
    frontlist = [s for s in specs(world, TODAY) if not s.backlist]
    revised = [s for s in frontlist if s.cover_revised_on]
    assert 0.2 < len(revised) / len(frontlist) < 0.5
    assert all(s.cover_created_on < s.cover_revised_on[0] for s in revised)


def test_sales_embargo_date_is_the_publication_date_of_strict_on_sale_titles(emu, world):
    live = [s for s in specs(world, TODAY) if any(p.created_on <= TODAY for p in s.products)]
    strict = [s for s in live if s.strict_on_sale][:3]
    loose = [s for s in live if not s.strict_on_sale][:3]
    assert strict and loose
    for spec in strict:
        for p in emu.data(DATES_Q, {"w": spec.id})["work"]["products"]:
            assert p["salesEmbargoDate"] == p["publicationDate"] is not None
    for spec in loose:
        for p in emu.data(DATES_Q, {"w": spec.id})["work"]["products"]:
            assert p["salesEmbargoDate"] is None


def test_out_of_print_date_is_known_ninety_days_ahead_in_graphql_and_rest(emu, world):
    found = None
    for spec in specs(world, TODAY):
        for p in spec.products:
            oop = next((d for d, code in p.status if code == "07"), None)
            if (
                oop is not None
                and p.created_on < oop - timedelta(days=91)
                and oop < date(2032, 1, 1)
            ):
                found = (spec, p, oop)
                break
        if found:
            break
    assert found, "the world has an out-of-print hardback"
    spec, product, oop = found
    for today, expected in (
        (oop - timedelta(days=91), None),
        (oop - timedelta(days=90), oop.isoformat()),
        (oop, oop.isoformat()),
    ):
        emu.set_today(today)
        got = {p["id"]: p for p in emu.data(DATES_Q, {"w": spec.id})["work"]["products"]}[
            product.id
        ]
        assert got["outOfPrintDate"] == expected, today
        assert got["onixPublishingStatusCode"] == (
            "_07" if today >= oop else f"_{at(product.status, today)}"
        )
        rest = emu.rest({"q[id_eq]": product.id}).json()["products"]
        assert [r["out_of_print_date"] for r in rest] == [expected]


def test_a_withdrawal_is_dated_on_the_day(emu, world):
    for spec in specs(world, TODAY):
        hits = [(p, d) for p in spec.products for d, code in p.status if code == "17"]
        if hits and hits[0][1] <= TODAY:
            product, day = hits[0]
            break
    else:
        raise AssertionError("the world has a permanently withdrawn product")
    emu.set_today(day - timedelta(days=1))
    got = {p["id"]: p for p in emu.data(DATES_Q, {"w": spec.id})["work"]["products"]}
    assert got[product.id]["outOfPrintDate"] is None
    emu.set_today(day)
    got = {p["id"]: p for p in emu.data(DATES_Q, {"w": spec.id})["work"]["products"]}
    assert got[product.id]["outOfPrintDate"] == day.isoformat()
