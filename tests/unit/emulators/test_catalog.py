"""The deterministic catalogue both emulators share: identifiers, ISBNs, time, seasons, rights.

Expectations are computed here from first principles (check-digit arithmetic, brute-force scans
of the generated specs), not by calling the helper under test a second way.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from emulators.catalog import (
    CONSONANCE_START,
    COUNTRY_CODES,
    WORLD,
    Rights,
    World,
    at,
    hyphenate,
    isbn13_check_digit,
    isbn13_is_valid,
    isbn13_to_isbn10,
    season_by_name,
    season_of,
    seasons_between,
)

pytestmark = pytest.mark.unit

N = 400


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=42, n_works=N)


# ---- ISBNs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first12", "check"),
    [
        ("978030640615", "7"),
        ("978186197271", "2"),
        ("979109063607", "1"),
        ("978000000000", "2"),
        ("978190000000", "0"),
    ],
)
def test_isbn13_check_digit_of_known_isbns(first12, check):
    assert isbn13_check_digit(first12) == check


def test_isbn13_validity():
    assert isbn13_is_valid("9780306406157")
    assert not isbn13_is_valid("9780306406158")  # wrong check digit
    assert not isbn13_is_valid("9770306406157")  # not a Bookland prefix
    assert not isbn13_is_valid("978030640615")  # 12 digits
    assert not isbn13_is_valid("978-0-306-40615-7")  # hyphens are for display only


def test_isbn10_and_hyphenation():
    assert isbn13_to_isbn10("9780306406157") == "0306406152"
    assert isbn13_to_isbn10("9780805300970") == "080530097X"  # check value 10 is X
    assert isbn13_to_isbn10("9791090636071") is None  # 979 ISBNs have no ISBN-10
    # split by the ISBN agency's range message (in group 1 registrants from 900000 have 6
    # digits; in group 0, 00-19 have 2 and 200-699 have 3), not a fixed registrant length
    assert hyphenate("9781900000000") == "978-1-900000-00-0"
    assert hyphenate("9781900000000", " ") == "978 1 900000 00 0"
    assert hyphenate("9780306406157") == "978-0-306-40615-7"
    assert hyphenate("9780000000002") == "978-0-00-000000-2"


def test_every_catalogue_isbn_is_valid_unique_and_in_the_publishers_range(world):
    isbns = [p.isbn13 for i in range(N) for p in world.spec(i).products]
    assert len(isbns) == len(set(isbns))
    for isbn in isbns:
        assert isbn.startswith("97819") and len(isbn) == 13
        weighted = sum(int(d) * (1 if n % 2 == 0 else 3) for n, d in enumerate(isbn))
        assert weighted % 10 == 0, isbn


# ---- identifiers -------------------------------------------------------------------------------


def test_work_and_product_ids_are_arithmetic(world):
    assert world.work_id(0) == 1001 and world.work_index(1001) == 0
    assert world.work_index(1001 + N - 1) == N - 1
    assert world.work_index(1000) is None and world.work_index(1001 + N) is None
    for i in (0, 17, N - 1):
        for k, p in enumerate(world.spec(i).products):
            assert p.id == 100000 + 10 * i + k
            assert p.isbn13[:12] == f"97819{10 * i + k:07d}"
            assert world.locate_product(p.id) == (i, k)
            assert world.locate_isbn(p.isbn13) == (i, k)
            assert world.locate_isbn(hyphenate(p.isbn13)) == (i, k)
    spec = world.spec(5)
    missing_k = len(spec.products)
    assert world.locate_product(100000 + 50 + missing_k) is None
    assert world.locate_product(99999) is None and world.locate_product(100000 + 10 * N) is None
    assert world.locate_isbn("9780306406157") is None  # valid, but another publisher's
    assert world.locate_isbn("9781900000001") is None  # bad check digit


def test_the_world_is_deterministic_by_seed():
    a, b, c = World(7, 120), World(7, 120), World(8, 120)

    def fingerprint(w: World) -> list[tuple]:
        return [
            (
                s.id,
                s.title,
                s.subtitle,
                s.first_pub_date,
                s.fate,
                [(p.isbn13, p.form.code, p.pub_date, p.status) for p in s.products],
            )
            for s in (w.spec(i) for i in range(120))
        ]

    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(c)
    assert [a.spec(i).title for i in range(120)] != [c.spec(i).title for i in range(120)]


# ---- time --------------------------------------------------------------------------------------


def test_creation_dates_follow_ids_and_works_created_by_counts_them(world):
    created = [world.spec(i).created_on for i in range(N)]
    assert created == sorted(created)
    assert all(d == CONSONANCE_START for d in created[: world.n_backlist])
    for day in (
        CONSONANCE_START - timedelta(days=1),
        CONSONANCE_START,
        date(2020, 1, 1),
        date(2026, 6, 1),
        date(2030, 1, 1),
    ):
        assert world.works_created_by(day) == sum(1 for d in created if d <= day)


def test_at_reads_the_last_entry_on_or_before_the_date():
    timeline = [(date(2026, 1, 1), "a"), (date(2026, 3, 1), "b"), (date(2026, 3, 10), "c")]
    assert at(timeline, date(2025, 12, 31)) is None
    assert at(timeline, date(2026, 1, 1)) == "a"
    assert at(timeline, date(2026, 2, 28)) == "a"
    assert at(timeline, date(2026, 3, 1)) == "b"
    assert at(timeline, date(2030, 1, 1)) == "c"


def test_timelines_are_ordered_and_products_go_live_on_their_publication_date(world):
    checked = 0
    for i in range(world.n_backlist, N):
        spec = world.spec(i)
        for tl in (spec.title, spec.subtitle, spec.stage, spec.tier, spec.contributions):
            assert [d for d, _ in tl] == sorted(d for d, _ in tl)
        for p in spec.products:
            assert p.created_on >= spec.created_on
            for tl in (p.pub_date, p.status, p.rights, p.prices):
                assert [d for d, _ in tl] == sorted(d for d, _ in tl)
            pub = at(p.pub_date, date.max)
            if spec.fate == "normal" and p.created_on < pub:
                assert at(p.status, pub - timedelta(days=1)) == "02"
                assert at(p.status, pub) == "04"
                checked += 1
    assert checked > 100


def test_work_at_shows_only_what_exists_on_the_date(world):
    i = next(
        i
        for i in range(world.n_backlist, N)
        if len({p.created_on for p in world.spec(i).products}) > 1
    )
    spec = world.spec(i)
    assert world.work_at(i, spec.created_on - timedelta(days=1)) is None
    first_product_day = min(p.created_on for p in spec.products)
    state = world.work_at(i, first_product_day)
    assert [p.spec.id for p in state.products] == [
        p.id for p in spec.products if p.created_on <= first_product_day
    ]
    later = world.work_at(i, date(2035, 1, 1))
    assert [p.spec.id for p in later.products] == [p.id for p in spec.products]
    assert [t.id for t in later.marketing_texts] == [t.id for t in spec.marketing_texts]


def test_changed_between_agrees_with_a_scan_of_the_change_dates(world):
    for i in range(0, N, 7):
        dates = world.spec(i).change_dates()
        for since, until in (
            (date(2026, 5, 1), date(2026, 6, 1)),
            (date(2018, 1, 1), date(2018, 1, 1)),
            (date(2015, 6, 1), date(2015, 6, 2)),
        ):
            assert world.changed_between(i, since, until) == any(since <= d <= until for d in dates)


def test_index_window_for_pub_dates_covers_every_product_published_in_the_window(world):
    for first, last in (
        (date(2024, 3, 1), date(2024, 5, 31)),
        (date(2010, 1, 1), date(2010, 12, 31)),
        (date(2027, 1, 1), date(2027, 1, 1)),
    ):
        allowed = {i for r in world.index_window_for_pub_dates(first, last) for i in r}
        for i in range(N):
            for p in world.spec(i).products:
                if any(first <= pub <= last for _, pub in p.pub_date):
                    assert i in allowed, (i, p.id, first, last)


# ---- seasons -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name", "start", "end", "ident"),
    [
        (date(2026, 3, 1), "Spring 2026", date(2026, 3, 1), date(2026, 5, 31), 20261),
        (date(2026, 5, 31), "Spring 2026", date(2026, 3, 1), date(2026, 5, 31), 20261),
        (date(2026, 8, 15), "Summer 2026", date(2026, 6, 1), date(2026, 8, 31), 20262),
        (date(2026, 11, 30), "Autumn 2026", date(2026, 9, 1), date(2026, 11, 30), 20263),
        (date(2026, 12, 1), "Winter 2026", date(2026, 12, 1), date(2027, 2, 28), 20264),
        (date(2027, 2, 28), "Winter 2026", date(2026, 12, 1), date(2027, 2, 28), 20264),
        (date(2028, 2, 29), "Winter 2027", date(2027, 12, 1), date(2028, 2, 29), 20274),
    ],
)
def test_season_of(day, name, start, end, ident):
    s = season_of(day)
    assert (s.name, s.start, s.end, s.id) == (name, start, end, ident)
    assert season_by_name(name.lower()) == s


@pytest.mark.parametrize("bad", ["Spring", "Monsoon 2026", "Spring twenty", ""])
def test_season_by_name_rejects_other_strings(bad):
    with pytest.raises(ValueError, match="not a season name"):
        season_by_name(bad)


def test_seasons_between_tile_the_calendar():
    seasons = seasons_between(date(2025, 1, 10), date(2026, 12, 31))
    assert [s.name for s in seasons] == [
        "Winter 2024",
        "Spring 2025",
        "Summer 2025",
        "Autumn 2025",
        "Winter 2025",
        "Spring 2026",
        "Summer 2026",
        "Autumn 2026",
        "Winter 2026",
    ]
    for a, b in zip(seasons, seasons[1:], strict=False):
        assert b.start == a.end + timedelta(days=1)


# ---- rights ------------------------------------------------------------------------------------


def test_rights_semantics():
    world_less = Rights((), ("US", "CA"))
    listed = Rights(("GB", "IE", "AU"), ("AU",))
    assert (
        WORLD.worldwide
        and WORLD.description == "World"
        and WORLD.allowed_countries() == COUNTRY_CODES
    )
    assert not world_less.worldwide and world_less.description == "World excluding US, CA"
    assert world_less.allowed_countries() == tuple(
        c for c in COUNTRY_CODES if c not in ("US", "CA")
    )
    assert listed.description == "GB, IE, AU excluding AU"
    assert listed.allowed_countries() == ("GB", "IE")
    assert not listed.allows("FR") and not listed.allows("AU") and listed.allows("GB")
