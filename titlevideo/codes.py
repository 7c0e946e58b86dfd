"""Code lists the pipeline validates against (ONIX, ISO), and small value checks."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

#: ONIX list 64 (publishing status).
ONIX_PUBLISHING_STATUS = {
    "00": "Unspecified",
    "01": "Cancelled",
    "02": "Forthcoming",
    "03": "Postponed indefinitely",
    "04": "Active",
    "05": "No longer our product",
    "06": "Out of stock indefinitely",
    "07": "Out of print",
    "08": "Inactive",
    "09": "Unknown",
    "10": "Remaindered",
    "11": "Withdrawn from sale",
    "12": "Recalled",
    "13": "Active, but not sold separately",
    "15": "Recalled",
    "16": "Temporarily withdrawn from sale",
    "17": "Permanently withdrawn from sale",
}
# Which statuses are live (published, pre-order) or withdrawn is in the warehouse seed
# include/sql/seeds/onix_publishing_status.csv, the one place the SQL reads it from.

#: ONIX 2.1 list 7 (product form), by family; letters A-Z after the family letter plus "Z" for other.
_LIST7_FAMILIES = {
    "A": "ABCDEFGHIJKLZ",
    "B": "ABCDEFGHIJKLMNOPZ",
    "C": "ABCDEZ",
    "D": "ABCDEFGHIJKLMNOZ",
    "F": "ABCDEFZ",
    "M": "ABCZ",
    "P": "ABCDEFGHIJKLMNOZ",
    "V": "ABCDEFGHIJKLMNOPZ",
    "W": "WX",
    "X": "ABCDEFGHIJKLZ",
    "Z": "ABCDEFGHIZ",
}
ONIX21_PRODUCT_FORMS = frozenset(
    {"00"} | {f + s for f, tail in _LIST7_FAMILIES.items() for s in tail}
)

_ROLE = re.compile(r"^[A-Z][0-9]{2}$")  # ONIX list 17
_TWO_DIGITS = re.compile(r"^[0-9]{2}$")  # ONIX lists 58, 59, 73
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

#: Dates outside this range are impossible for a publisher's catalogue.
EARLIEST_DATE = date(1450, 1, 1)
LATEST_YEARS_AHEAD = 10


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies)


def isbn13_ok(isbn: str) -> bool:
    """13 digits, 978/979, right check digit: python-stdnum, which carries the ISBN agency's
    range message (``stdnum.isbn.format`` hyphenates by it)."""
    from stdnum import isbn as stdnum_isbn

    return len(isbn) == 13 and isbn.isdigit() and stdnum_isbn.is_valid(isbn)


def role_ok(code: str) -> bool:
    return bool(_ROLE.match(code))


def two_digit_ok(code: str) -> bool:
    return bool(_TWO_DIGITS.match(code))


def url_ok(url: str) -> bool:
    return bool(_URL.match(url))


def parse_date(value: str, today: date) -> date | None:
    """A plausible calendar date, or None when it is malformed or impossible."""
    try:
        d = date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if d < EARLIEST_DATE or d.year > today.year + LATEST_YEARS_AHEAD:
        return None
    return d


def strip_enum_underscore(value: str | None) -> str | None:
    """GraphQL enum values of digit-led ONIX codes carry a leading underscore (``_04`` → ``04``)."""
    if value is None:
        return None
    return value[1:] if value.startswith("_") and value[1:2].isdigit() else value
