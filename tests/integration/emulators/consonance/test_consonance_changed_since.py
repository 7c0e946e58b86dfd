"""``changedSince`` over simulated days, against change dates read off the catalogue's timelines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from emulators.catalog import WorkSpec, World

from .conftest import TODAY

pytestmark = pytest.mark.integration


def change_dates(spec: WorkSpec) -> set[date]:
    """Every date the work or a closely related record changes, from its timelines.

    Written out here from the catalogue's data (not WorkSpec.change_dates, not the emulator).
    """
    dates = {spec.created_on, spec.cover_created_on, *spec.cover_revised_on}
    for timeline in (spec.title, spec.subtitle, spec.stage, spec.tier, spec.contributions):
        dates.update(d for d, _ in timeline)
    for p in spec.products:
        dates.add(p.created_on)
        for timeline in (p.pub_date, p.status, p.rights, p.prices):
            dates.update(d for d, _ in timeline)
    for t in spec.marketing_texts:
        dates.add(t.created_on)
        dates.update(t.revised_on)
    dates.update(link.created_on for link in spec.web_links)
    return dates


def expected_changed(world: World, since: date, until: date) -> list[int]:
    return [
        spec.id
        for spec in (world.spec(i) for i in range(world.n_works))
        if spec.created_on <= until and any(since <= d <= until for d in change_dates(spec))
    ]


@pytest.mark.parametrize(
    ("since", "today"),
    [
        (TODAY - timedelta(days=1), TODAY),  # a daily run with one day of lookback
        (TODAY, TODAY + timedelta(days=2)),  # the clock moved on two days
        (date(2026, 1, 1), TODAY),  # a longer window
        (date(2021, 3, 1), date(2021, 3, 1)),  # a day in the past
        (date(2031, 1, 1), date(2031, 1, 5)),  # a day in the future
    ],
)
def test_changed_since_returns_exactly_the_works_that_changed(emu, world, since, today):
    emu.set_today(today)
    got = emu.all_pages("works", "id", f'changedSince: "{since}"')
    ids = [w["id"] for w in got]
    expected = expected_changed(world, since, today)
    assert ids == expected  # each once, in id order
    assert 0 < len(expected) < world.works_created_by(today)


def test_products_changed_since_are_the_products_of_changed_works(emu, world):
    since = TODAY - timedelta(days=3)
    got = emu.all_pages("products", "id workId", f'changedSince: "{since}"')
    works = expected_changed(world, since, TODAY)
    expected = [
        p.id
        for wid in works
        for p in world.spec(world.work_index(wid)).products
        if p.created_on <= TODAY
    ]
    assert [p["id"] for p in got] == expected
    assert sorted({p["workId"] for p in got}) == [
        w
        for w in works
        if any(p.created_on <= TODAY for p in world.spec(world.work_index(w)).products)
    ]


def test_a_day_by_day_incremental_run_sees_every_change_once_per_day(emu, world):
    """Simulate a daily extraction: each day asks for changes since yesterday."""
    start = TODAY
    seen: dict[date, list[int]] = {}
    for n in range(1, 4):
        day = start + timedelta(days=n)
        emu.set_today(day)
        seen[day] = [
            w["id"]
            for w in emu.all_pages("works", "id", f'changedSince: "{day - timedelta(days=1)}"')
        ]
    for day, ids in seen.items():
        assert ids == expected_changed(world, day - timedelta(days=1), day)
    # the union of the daily windows is the window over the whole period
    union = sorted(set().union(*seen.values()))
    assert union == expected_changed(world, start, start + timedelta(days=3))


def test_mutations_and_fixtures_count_as_changes_on_the_clock_date(emu, world):
    day = date(2026, 7, 14)
    quiet = [
        spec
        for spec in (world.spec(i) for i in range(world.works_created_by(day)))
        if not any(
            day - timedelta(days=30) <= d <= day + timedelta(days=30) for d in change_dates(spec)
        )
        and spec.products
    ]
    a, b = quiet[0], quiet[1]
    emu.set_today(day)
    mutation = 'mutation($p: Int) { createWebLink(input: {productId: $p, link: "https://video.example/t.mp4", role: _25}) { webLink { id } errors { field message } } }'
    assert emu.data(mutation, {"p": a.products[0].id})["createWebLink"]["errors"] == []
    emu.fixtures({"works": [{"id": b.id, "overrides": {"subtitle": "A Changed Subtitle"}}]})
    baseline = expected_changed(world, day, day)
    got = [w["id"] for w in emu.all_pages("works", "id", f'changedSince: "{day}"')]
    assert got == sorted({*baseline, a.id, b.id})
    assert a.id not in baseline and b.id not in baseline
    # the next day, a window starting the next day does not see them
    emu.set_today(day + timedelta(days=1))
    got = [
        w["id"] for w in emu.all_pages("works", "id", f'changedSince: "{day + timedelta(days=1)}"')
    ]
    assert got == expected_changed(world, day + timedelta(days=1), day + timedelta(days=1))
    # ...and a window that includes the day still does, with the write still visible
    got = emu.data(
        f'{{ works(workSearch: {{changedSince: "{day}", idEq: {b.id}}}) {{ id subtitle }} }}'
    )
    assert got == {"works": [{"id": b.id, "subtitle": "A Changed Subtitle"}]}
