"""The performance report, rendered in headless Chromium: every chart drawn, with exactly the bars
and points the data holds.

A generated lake (24 titles over 14 publication seasons, 6 channels, 18 countries, 10 metric
days, one unmatched asset) is built into a warehouse with the real build; the report is rendered
from it and opened in Chromium from disk (plotly.js beside it, no network). What each chart must
hold is computed here from the generated rows in plain Python, not from the marts or the report's
queries. A second lake without any metrics checks that every section says why it is empty.
"""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e._browser import drawn_traces, dump_dom, parse
from tests.fixtures.lake.lakebuilder import (
    LakeBuilder,
    asset,
    metric,
    product,
    ts,
    warehouse_sql,
    work,
)
from titlevideo.config import Lake, Rules
from titlevideo.report import build_report
from titlevideo.warehouse.build import build_warehouse

pytestmark = pytest.mark.e2e

FIRST = date(2026, 3, 1)
DAYS = [FIRST + timedelta(days=n) for n in range(10)]
REPORT_DAY = DAYS[-1]
SEASONS = [f"{s} {y}" for y in (2023, 2024, 2025) for s in ("Spring", "Summer", "Autumn", "Winter")]
SEASONS += ["Spring 2026", "Summer 2026"]  # 14 seasons, chronological
IMPRINTS = ["Harbour Press", "Northlight Books", "Kestrel", "Fieldnote"]
CHANNELS = ["YOUTUBE", "TIKTOK", "INSTAGRAM", "WEBSITE", "RETAILER", "FACEBOOK"]
COUNTRIES = [
    "GB",
    "US",
    "DE",
    "FR",
    "IE",
    "AU",
    "CA",
    "NZ",
    "IN",
    "ZA",
    "ES",
    "IT",
    "NL",
    "SE",
    "BR",
    "MX",
    "JP",
    "ZZ",
]
N_WORKS = 24
LAUNCH_WINDOW = (-28, 56)  # the business rules' default


def isbn(n: int) -> str:
    first12 = f"97819{n:07d}"
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


class WideLake:
    """The generated lake and the truth the charts must show, kept beside it."""

    def __init__(self, root: Path, seed: int = 7):
        rng = random.Random(seed)
        self.builder = LakeBuilder(root)
        self.works: dict[int, dict] = {}
        works, products, assets = [], [], []
        for i in range(N_WORKS):
            work_id = 2001 + i
            # every third title was published long ago (no launch-window rows), the others
            # around the metric days
            pub = date(2024, 1, 15) if i % 3 == 0 else FIRST + timedelta(days=(i * 5) % 31 - 12)
            season = SEASONS[i % len(SEASONS)]
            imprint = IMPRINTS[i % len(IMPRINTS)]
            nfs = ("US",) if i % 2 == 0 else ()
            self.works[work_id] = {
                "title": f"Title {i:02d}",
                "season": season,
                "imprint": imprint,
                "pub": pub,
                "not_for_sale": nfs,
            }
            works.append(
                work(
                    work_id,
                    f"Title {i:02d}",
                    season_name=season,
                    imprint_id=1 + i % len(IMPRINTS),
                    imprint_name=imprint,
                    marketing_tier_name="Core",
                    project_stage_name="Published",
                )
            )
            products.append(
                product(
                    10 * work_id, work_id, isbn(10 * work_id), "BB", "04", not_for_sale=nfs, pub=pub
                )
            )
            assets.append(asset(f"A{work_id}", work_label=str(work_id)))
        assets.append(asset("AX", work_label="9999"))  # matches no title
        b = self.builder
        b.consonance(FIRST, ts("2026-03-01T06:00"), works=works, products=products)
        b.bytenite_snapshot(FIRST, ts("2026-03-01T07:00"), assets=assets)

        #: (metric_date, asset_id, work_id | None, channel, country, views)
        self.rows: list[tuple[date, str, int | None, str, str, int]] = []
        for day in DAYS:
            rows = []
            for a in [*self.works, None]:
                asset_id = f"A{a}" if a else "AX"
                # a title is sometimes not watched at all on a day
                if a and rng.random() < 0.2:
                    continue
                pairs = rng.sample([(c, k) for c in CHANNELS for k in COUNTRIES], rng.randint(1, 6))
                for channel, country in pairs:
                    views = rng.randint(1, 90)
                    rows.append(
                        metric(asset_id, channel, country, views, completion_rate=rng.random())
                    )
                    self.rows.append((day, asset_id, a, channel, country, views))
            b.metrics(day, ts(f"{day.isoformat()}T23:30"), rows)

    # ---- the truth, in plain Python -------------------------------------------------------

    def views_by(self, key) -> dict:
        out: dict = defaultdict(int)
        for row in self.rows:
            k = key(row)
            if k is not None:
                out[k] += row[5]
        return dict(out)

    @staticmethod
    def top(totals: dict, n: int | None = None) -> list:
        """Keys by views desc, ties by key (the report's documented order); zero views left out."""
        keys = sorted((k for k, v in totals.items() if v > 0), key=lambda k: (-totals[k], k))
        return keys if n is None else keys[:n]

    def launch_offsets(self) -> dict[int, set[int]]:
        """Work → days from publication with views inside the launch window."""
        out: dict[int, set[int]] = defaultdict(set)
        lo, hi = LAUNCH_WINDOW
        for day, _, work_id, *_ in self.rows:
            if work_id is not None:
                offset = (day - self.works[work_id]["pub"]).days
                if lo <= offset <= hi:
                    out[work_id].add(offset)
        return out


def build(lake: Lake, tmp: Path) -> None:
    build_warehouse(lake, rules=Rules(), validate=None, sql_root=warehouse_sql(tmp / "sql"))


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wide")
    lake = WideLake(tmp / "lake")
    build(lake.builder.lake, tmp)
    result = build_report(lake.builder.lake, REPORT_DAY)
    dom = parse(dump_dom(result.path))
    return lake, result, dom


def plot(dom, plot_id: str):
    div = dom.by_id(plot_id)
    assert div is not None, f"no element #{plot_id} in the rendered page"
    assert "plotly-graph-div" in div.classes
    svgs = div.find_all("svg", "main-svg")
    assert svgs, f"#{plot_id} was not drawn (no svg.main-svg): plotly.js did not run"
    return div


def test_report_files_are_offline_and_beside_each_other(wide):
    lake, result, dom = wide
    folder = result.path.parent
    assert result.path == lake.builder.lake.reports / "performance" / "2026-03-10" / "index.html"
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "plotly.min.js"]
    scripts = [s.attrs["src"] for s in dom.find_all("script") if "src" in s.attrs]
    assert scripts == ["plotly.min.js"], scripts
    assert not re.search(r"""(src|href)=["']https?://""", result.path.read_text())


def test_every_chart_is_drawn_with_exactly_the_data(wide):
    lake, result, dom = wide
    assert result.empty_sections == []
    lo = REPORT_DAY - timedelta(days=89)

    # daily views: one bar per metric day with views (unmatched assets count too)
    daily = lake.views_by(lambda r: r[0] if lo <= r[0] <= REPORT_DAY else None)
    assert drawn_traces(plot(dom, "daily-views")) == [("bar", len(lake.top(daily)))]

    # top titles: the 15 most watched titles, by name
    by_work = lake.views_by(lambda r: r[2])
    top15 = lake.top(by_work, 15)
    assert len(top15) == 15 and len(by_work) > 15  # the limit is exercised
    div = plot(dom, "top-titles")
    assert drawn_traces(div) == [("bar", 15)]
    ticks = [t.text() for t in div.find_all("g", "ytick")]
    want = [f"{lake.works[w]['title']} · {lake.works[w]['imprint']}" for w in top15]
    assert sorted(ticks) == sorted(want)

    # launch curves: the 8 titles with the most launch-window views, one point per day with views
    offsets = lake.launch_offsets()
    launch_views = lake.views_by(
        lambda r: (
            r[2]
            if r[2] is not None and (r[0] - lake.works[r[2]]["pub"]).days in offsets[r[2]]
            else None
        )
    )
    top8 = lake.top(launch_views, 8)
    assert len(launch_views) > 8
    div = plot(dom, "launch-curves")
    assert sorted(drawn_traces(div)) == sorted(("scatter", len(offsets[w])) for w in top8)
    legend = sorted(t.text() for t in div.find_all("g", "traces"))
    assert legend == sorted(lake.works[w]["title"] for w in top8)

    # launch curves by season: the 6 seasons with the most launch-window views
    season_views: dict[str, int] = defaultdict(int)
    season_offsets: dict[str, set[int]] = defaultdict(set)
    for w, views in launch_views.items():
        season_views[lake.works[w]["season"]] += views
        season_offsets[lake.works[w]["season"]] |= offsets[w]
    top6 = lake.top(dict(season_views), 6)
    div = plot(dom, "launch-seasons")
    assert sorted(drawn_traces(div)) == sorted(("scatter", len(season_offsets[s])) for s in top6)

    # channels: a bar and a completion marker per channel with views
    channels = lake.top(lake.views_by(lambda r: r[3] if r[2] is not None else None))
    assert drawn_traces(plot(dom, "channel-mix")) == [
        ("bar", len(channels)),
        ("scatter", len(channels)),
    ]

    # countries: the 15 with the most (title) views, split where the title is not for sale
    by_country = lake.views_by(lambda r: r[4] if r[2] is not None else None)
    not_for_sale = lake.views_by(
        lambda r: r[4] if r[2] is not None and r[4] in lake.works[r[2]]["not_for_sale"] else None
    )
    top_countries = lake.top(by_country, 15)
    sale_bars = sum(1 for c in top_countries if by_country[c] - not_for_sale.get(c, 0) > 0)
    nfs_bars = sum(1 for c in top_countries if not_for_sale.get(c, 0) > 0)
    assert nfs_bars == 1  # only US is ever not for sale here
    assert drawn_traces(plot(dom, "country-mix")) == [("bar", sale_bars), ("bar", nfs_bars)]

    # seasons: the latest 12 of the 14 seasons with views, a bar and a point each
    seasons_with_views = {lake.works[w]["season"] for w, v in by_work.items() if v > 0}
    latest = [s for s in SEASONS if s in seasons_with_views][-12:]
    div = plot(dom, "season-comparison")
    assert drawn_traces(div) == [("bar", len(latest)), ("scatter", len(latest))]
    assert [t.text() for t in div.find_all("g", "xtick")] == latest

    # the two launch charts sit side by side, each drawn at its column's width (not the page's)
    width = {
        i: float(plot(dom, i).find_all("svg", "main-svg")[0].attrs["width"])
        for i in ("top-titles", "launch-curves", "launch-seasons")
    }
    assert width["launch-curves"] == width["launch-seasons"] < width["top-titles"] * 0.6

    # imprints
    imprints = lake.top(lake.views_by(lambda r: lake.works[r[2]]["imprint"] if r[2] else None))
    assert drawn_traces(plot(dom, "imprint-mix")) == [("bar", len(imprints))]


def test_headline_numbers_are_in_the_text(wide):
    lake, result, dom = wide
    total = sum(r[5] for r in lake.rows)
    on_day = sum(r[5] for r in lake.rows if r[0] == REPORT_DAY)
    cards = {
        c.find_all("div", "label")[0].text(): c.find_all("div", "value")[0].text()
        for c in dom.by_id("headline").find_all("div", "card")
    }
    titles_with_views = sum(1 for v in lake.views_by(lambda r: r[2]).values() if v > 0)
    assert cards["Views"] == f"{total:,}"
    assert cards[f"Views on {REPORT_DAY}"] == f"{on_day:,}"
    assert cards["Titles with views"] == f"{titles_with_views} of {N_WORKS}"
    assert cards["Video assets"] == f"{N_WORKS + 1}"
    summary = dom.by_id("summary").text()
    top_work = lake.top(lake.views_by(lambda r: r[2]), 1)[0]
    assert f"The most watched title is {lake.works[top_work]['title']}" in summary


def test_an_empty_warehouse_says_why_each_chart_is_missing(tmp_path):
    b = LakeBuilder(tmp_path / "lake")
    b.consonance(
        FIRST,
        ts("2026-03-01T06:00"),
        works=[work(2001, "Only Title", season_name="Spring 2026", imprint_name="Kestrel")],
        products=[product(20010, 2001, isbn(20010), "BB", "04", pub=FIRST)],
    )
    b.bytenite_snapshot(FIRST, ts("2026-03-01T07:00"), assets=[asset("A1", work_label="2001")])
    build(b.lake, tmp_path)
    result = build_report(b.lake, FIRST)
    dom = parse(dump_dom(result.path))
    assert dom.find_all("div", "plotly-graph-div") == []
    expected = {
        "daily-views": "No views recorded in the 90 days up to 2026-03-01 yet.",
        "top-titles": "No title has any views yet.",
        "launch-curves": "No launch-window data yet: no title has views within -28..56 days of "
        "its first publication on the loaded metric dates.",
        "launch-seasons": "No launch-window data yet, so no season curves.",
        "channel-mix": "No channel data yet.",
        "country-mix": "No country data yet.",
        "season-comparison": "No season has any views yet.",
        "imprint-mix": "No imprint has any views yet.",
    }
    assert sorted(result.empty_sections) == sorted(expected)
    for section, sentence in expected.items():
        el = dom.by_id(f"{section}-empty")
        assert el is not None and el.text() == sentence, section
    assert dom.by_id("summary").text() == "No video views are in the warehouse yet."


def test_the_report_task_points_the_run_report_at_the_page(tmp_path, monkeypatch):
    """``report_task`` renders the page and adds its path to warehouse_build's run report."""
    from titlevideo.lake import write_json_atomic
    from titlevideo.report.task import report_task

    lake = WideLake(tmp_path / "lake", seed=3)
    build(lake.builder.lake, tmp_path)
    monkeypatch.setenv("LAKE_ROOT", str(tmp_path / "lake"))
    run_report = tmp_path / "lake" / "reports" / "runs" / "2026-03-10" / "warehouse_build.json"
    write_json_atomic(
        run_report, {"headline": "h", "details": ["reason: x"], "data": {"mode": "full"}}
    )
    for _ in range(2):  # a retry or rerun does not repeat the line
        summary = report_task({"params": {"date": "2026-03-10"}})
    page = tmp_path / "lake" / "reports" / "performance" / "2026-03-10" / "index.html"
    assert summary["path"] == str(page) and page.exists()
    got = json.loads(run_report.read_text())
    assert got["details"] == ["reason: x", f"performance report: {page}"]
    assert got["data"]["mode"] == "full" and got["data"]["report"]["path"] == str(page)
