"""The quality results offline: Great Expectations validates real suites (the project's runner,
real GX, a real DuckDB table), the pages are written from what the quality step left on disk and
opened from ``file://`` in headless Chromium with every request off the disk refused.

What the pages must show is known from how the table and the suites are made here (which checks
hold on which rows), not from the runner's answer.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.e2e._browser import browser, open_page
from titlevideo.quality.checks import Suite, between, in_set, not_null, regex, row_count, unique
from titlevideo.quality.runner import run_suites
from titlevideo.report.quality import write_quality_pages

pytestmark = pytest.mark.e2e

#: suite -> (expectations passed, expectations failed), by construction of ROWS below
EXPECTED = {
    "titles_clean": (4, 0),
    "titles_dirty": (2, 2),
    "titles_empty": (1, 1),
}
ROWS = [
    # id, isbn, views, channel
    (1, "9780000000001", 5, "YOUTUBE"),
    (2, "9780000000002", 0, "TIKTOK"),
    (3, None, 7, "YOUTUBE"),
    (4, "97800X", 3, "FAX"),
]


def suites() -> list[Suite]:
    table = "select * from titles"
    return [
        # ids unique and present, views 0..10, channels known on the rows with an ISBN that parses
        Suite(
            "titles_clean",
            f"{table} where isbn is not null and regexp_matches(isbn, '^[0-9]{{13}}$')",
            [
                *not_null("id"),
                unique("id"),
                between("views", 0, 10),
                in_set("channel", ["YOUTUBE", "TIKTOK"]),
            ],
        ),
        # every row: a null ISBN (fails), one malformed (fails), ids unique, views in range
        Suite(
            "titles_dirty",
            table,
            [
                *not_null("isbn"),
                regex("isbn", "^[0-9]{13}$"),
                unique("id"),
                between("views", 0, 10),
            ],
        ),
        # no row: a row-count floor fails, a not-null holds on nothing
        Suite("titles_empty", f"{table} where false", [row_count(min_value=1), *not_null("id")]),
    ]


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("quality") / "reports"
    con = duckdb.connect()
    con.execute("create table titles (id integer, isbn varchar, views integer, channel varchar)")
    con.executemany("insert into titles values (?, ?, ?, ?)", ROWS)
    run_suites(con, suites(), section="marts", reports=root, raise_on_failure=False)
    run_suites(con, suites()[:1], section="raw", reports=root, raise_on_failure=False)
    con.close()
    write_quality_pages(root)
    return root


def _counts(row) -> tuple[int, int]:
    cells = row.find_all("td")
    return int(cells[2].text()), int(cells[3].text())


def test_the_index_lists_every_suite_with_its_counts_offline(reports):
    index = reports / "data_docs" / "index.html"
    with browser() as b:
        opened = open_page(b, index, scripted=False)
        dom = opened.dom()
        assert opened.remote == []
        assert [m for m in opened.console if m[0] in ("error", "warning", "pageerror")] == []
        marts = next(s for s in dom.find_all("section") if s.attrs.get("data-section") == "marts")
        rows = {r.attrs["data-suite"]: r for r in marts.find_all("tr") if "data-suite" in r.attrs}
        assert {name: _counts(r) for name, r in rows.items()} == EXPECTED
        for name, (_, failed) in EXPECTED.items():
            assert rows[name].find_all("td")[1].text() == ("failed" if failed else "passed")
        blurb = marts.find_all("p")[0]
        assert blurb.find_all("span", "suites-passed")[0].text() == "1"
        assert blurb.find_all("span", "suites-failed")[0].text() == "2"
        raw = next(s for s in dom.find_all("section") if s.attrs.get("data-section") == "raw")
        raw_rows = [r for r in raw.find_all("tr") if "data-suite" in r.attrs]
        assert [(r.attrs["data-suite"], _counts(r)) for r in raw_rows] == [("titles_clean", (4, 0))]

        # the link of a failed suite opens its results, on disk, at the suite
        opened.page.click("section[data-section=marts] a:text-is('titles_dirty')")
        opened.page.wait_for_load_state("load")
        url = opened.page.url
        assert url.startswith("file://") and url.endswith("/marts/results.html#suite-titles_dirty")
        detail = opened.dom().by_id("suite-titles_dirty")
        assert detail is not None
        assert detail.find_all("span", "n-passed")[0].text() == "2"
        assert detail.find_all("span", "n-failed")[0].text() == "2"
        failures = [li.text() for li in detail.find_all("li")]
        assert len(failures) == 2
        assert any("expect_column_values_to_not_be_null" in f and "isbn" in f for f in failures)
        assert any("expect_column_values_to_match_regex" in f for f in failures)
        # every expectation GX evaluated, from its validation result (results.json)
        evaluated = {
            (cells[1].text(), cells[2].text(), cells[0].text())
            for cells in (tr.find_all("td") for tr in detail.find_all("tbody")[0].find_all("tr"))
        }
        assert evaluated == {
            ("expect_column_values_to_not_be_null", 'column="isbn"', "failed"),
            ("expect_column_values_to_match_regex", 'column="isbn", regex="^[0-9]{13}$"', "failed"),
            ("expect_column_values_to_be_unique", 'column="id"', "passed"),
            (
                "expect_column_values_to_be_between",
                'column="views", max_value=10.0, min_value=0.0',
                "passed",
            ),
        }
        empty = opened.dom().by_id("suite-titles_empty")
        assert any(
            "expect_table_row_count_to_be_between" in li.text() for li in empty.find_all("li")
        )
        assert opened.remote == []


def test_great_expectations_own_pages_need_the_network(reports):
    """Why the pages above exist: GX's site (kept beside them) asks CDNs for its assets."""
    with browser() as b:
        opened = open_page(b, reports / "data_docs" / "marts" / "index.html", scripted=False)
        assert any("cdn" in url or "unpkg" in url for url in opened.remote)
