"""ONIX list 64 is kept twice on purpose (Python validates extraction, the warehouse seed drives
the SQL); the two must name the same codes, and the seed's flags must say what ONIX says."""

from __future__ import annotations

import csv

import pytest

from titlevideo import codes
from titlevideo.config import SQL_ROOT

pytestmark = pytest.mark.unit


def _seed() -> dict[str, dict[str, str]]:
    with (SQL_ROOT / "seeds" / "onix_publishing_status.csv").open(newline="") as f:
        return {row["publishing_status_code"]: row for row in csv.DictReader(f)}


def test_the_seed_and_the_code_list_name_the_same_codes():
    assert sorted(_seed()) == sorted(codes.ONIX_PUBLISHING_STATUS)
    # ONIX list 64 has 00-17 without 14
    assert sorted(codes.ONIX_PUBLISHING_STATUS) == [f"{n:02d}" for n in range(18) if n != 14]


def test_live_and_withdrawn_flags_follow_the_onix_descriptions():
    seed = _seed()
    live = {c for c, r in seed.items() if r["is_live"] == "true"}
    withdrawn = {c for c, r in seed.items() if r["is_withdrawn"] == "true"}
    assert live == {"02", "04"}  # Forthcoming (pre-order) and Active
    # cancelled, withdrawn from sale (any kind) and recalled (15, and 12, its deprecated code
    # that ONIX 2.1 data still carries)
    assert withdrawn == {"01", "11", "12", "15", "16", "17"}
    assert not live & withdrawn


@pytest.mark.parametrize(
    "isbn, ok",
    [
        ("9780306406157", True),
        ("9781900000000", True),
        ("9791090636071", True),
        ("9780306406158", False),  # wrong check digit
        ("9770306406157", False),  # not a Bookland (978/979) prefix
        ("978030640615", False),  # 12 digits
        ("978-0-306-40615-7", False),  # extraction takes the 13 digits, never a display form
    ],
)
def test_isbn13_ok(isbn, ok):
    assert codes.isbn13_ok(isbn) is ok
