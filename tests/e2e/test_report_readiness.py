"""The report's "Launch readiness" section, in headless Chromium, against the warehouse: the
readiness lake (tests/fixtures/lake/readiness_lake.py) built with the real build, the report
rendered from it and opened from disk. The table must list every row of the mart, at-risk rows
first in the order the section promises (blocked, then the least advanced state, then the nearest
publication), each with its state and risk as worked out by hand for that lake; the counts by
state must equal this test's own count over marts.mart_launch_readiness.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.e2e._browser import browser, open_page
from tests.fixtures.lake.lakebuilder import warehouse_sql
from tests.fixtures.lake.readiness_lake import (
    AS_OF,
    EXPECTED,
    TITLES,
    imprint,
    write_readiness_lake,
)
from titlevideo.config import Rules
from titlevideo.report import build_report
from titlevideo.warehouse.build import build_warehouse

pytestmark = pytest.mark.e2e

#: the states from the least advanced (blocked first), as the issue lists them reversed
ORDER = ["blocked", "not requested", "requested", "in production", "ready", "published", "placed"]


def deliverable_label(code: str) -> str:
    words = code.replace("_", " ").lower()
    return words[:1].upper() + words[1:]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    b = write_readiness_lake(tmp_path_factory.mktemp("lake"))
    build_warehouse(
        b.lake, day=AS_OF, rules=Rules(), sql_root=warehouse_sql(tmp_path_factory.mktemp("sql"))
    )
    return b.lake, build_report(b.lake, AS_OF)


def expected_rows(keep=lambda work_id: True) -> list[tuple[str, str, str, str]]:
    """(title, deliverable, state as shown, risk) in the section's order, from EXPECTED."""
    expected = sorted(
        ((k, v) for k, v in EXPECTED.items() if keep(k[0])),
        key=lambda kv: (
            kv[1][3] is None,  # at risk first
            ORDER.index(kv[1][0]),
            TITLES[kv[0][0]][1],  # days to publication
            f"Title {kv[0][0]}",
            kv[0][1],
        ),
    )
    want = []
    for (work_id, deliverable, product_id), (state, channels, blocked, risk) in expected:
        if state == "placed":
            state = f"placed ({', '.join(channels)})"
        elif state == "blocked":
            state = f"blocked ({blocked})"
        label = deliverable_label(deliverable)
        if product_id is not None:
            label += " · audio "
        want.append((f"Title {work_id}", label, state, risk or ""))
    return want


def shown_rows(page) -> list[tuple[str, str, str, str]]:
    """The rows the page shows (not hidden by a filter), as (title, deliverable, state, risk)."""
    got = []
    for tr in page.dom().by_id("readiness-rows").find_all("tbody")[0].find_all("tr"):
        if "hidden" in tr.attrs:
            continue
        cells = [td.text() for td in tr.find_all("td")]
        deliverable = cells[1].split(" · audio ")[0] + (
            " · audio " if " · audio " in cells[1] else ""
        )
        got.append((cells[0], deliverable, cells[4], cells[5]))
        assert ("at-risk" in tr.classes) == bool(cells[5])
    return got


def shown_counts(page) -> dict[str, tuple[int, int]]:
    rows = page.dom().by_id("readiness-counts").find_all("tbody")[0].find_all("tr")
    return {
        tr.attrs["data-state"]: tuple(int(td.text()) for td in tr.find_all("td")[1:]) for tr in rows
    }


def counts_by_hand(keep=lambda work_id: True) -> dict[str, tuple[int, int]]:
    out = {state: (0, 0) for state in ORDER}
    for (work_id, _, _), (state, _, _, risk) in EXPECTED.items():
        if keep(work_id):
            n, r = out[state]
            out[state] = (n + 1, r + (risk is not None))
    return out


def test_the_table_lists_every_deliverable_riskiest_first(report):
    _, result = report
    with browser() as b:
        page = open_page(b, result.path)
        assert page.remote == []
        assert [m for m in page.console if m[0] in ("error", "warning", "pageerror")] == []
        assert shown_rows(page) == expected_rows()


def test_an_imprint_filter_keeps_its_titles_rows_and_recounts(report):
    _, result = report
    with browser() as b:
        page = open_page(b, result.path)
        page.page.select_option("select[name=imprint]", "Kestrel")
        page.drawn(2)
        kestrel = lambda work_id: imprint(work_id) == "Kestrel"  # noqa: E731
        assert shown_rows(page) == expected_rows(kestrel)
        assert shown_counts(page) == counts_by_hand(kestrel)
        at_risk = sum(r for _, r in counts_by_hand(kestrel).values())
        shown = sum(n for n, _ in counts_by_hand(kestrel).values())
        assert page.dom().by_id("readiness-note").text() == (
            f"{at_risk} of {shown} required deliverables at risk."
        )
        assert [m for m in page.console if m[0] in ("error", "warning", "pageerror")] == []


def test_the_counts_by_state_are_the_warehouse_counts(report):
    lake, result = report
    con = duckdb.connect(str(lake.warehouse), read_only=True)
    try:
        mart = dict(
            (state, (n, risk))
            for state, n, risk in con.execute(
                "select state, count(*), count(*) filter (where risk_reason is not null) "
                "from marts.mart_launch_readiness group by state"
            ).fetchall()
        )
    finally:
        con.close()
    assert mart == {s: c for s, c in counts_by_hand().items() if c != (0, 0)}
    with browser() as b:
        page = open_page(b, result.path)
        got = shown_counts(page)
    assert set(got) == set(ORDER)
    assert {s: c for s, c in got.items() if c != (0, 0)} == mart
