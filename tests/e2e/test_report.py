"""The performance report, driven in headless Chromium (Playwright on Debian's chromium): every
chart drawn with exactly the data, filters that re-draw every chart with the warehouse's numbers,
CSVs that hold what the charts show, the SQL each chart shows giving that CSV, no console warning,
no request leaving the disk, and the index of dated reports.

A generated lake (24 titles over 14 publication seasons, 4 imprints, 6 channels, 18 countries,
10 metric days, one unmatched asset) is built into a warehouse with the real build; the report
is rendered from it and opened from disk (plotly.js, report.js and the data beside it). What the
unfiltered charts must hold is computed here from the generated rows in plain Python; what the
filtered ones must hold, by this test's own SQL over ``marts.fct_video_daily`` (not the report's
SQL). A second lake without any metrics checks that every section says why it is empty.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.e2e._browser import browser, drawn_traces, open_page
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
from titlevideo.report import data as report_data
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
#: the filter the tests set: one imprint, one channel, days 3..8
FILTER = {
    "imprint": "Harbour Press",
    "channel": "YOUTUBE",
    "from": DAYS[2],
    "to": DAYS[7],
}
#: the top rows of the compliance findings the page lists (the report's default is 20)
COMPLIANCE_ROWS = 10
FILES = ["index.html", "plotly.min.js", "report-data.js", "report.js", "summary.json"]


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


class Warehouse:
    """This test's own SQL over the warehouse's facts, with FILTER as bound parameters."""

    def __init__(self, path: Path):
        self.con = duckdb.connect(str(path), read_only=True)

    def by(self, key: str, *, titled: bool = True, extra: str = "") -> list[tuple]:
        return self.con.execute(
            f"""
            select {key}, sum(f.views) as views
            from marts.fct_video_daily f
            left join marts.dim_title t on t.work_id = f.work_id
            where t.imprint_name = $imprint and f.channel = $channel
              and f.metric_date between $from and $to {extra}
              {"and f.work_id is not null" if titled else ""}
            group by all
            having sum(f.views) > 0
            order by views desc, 1
            """,
            FILTER,
        ).fetchall()


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


@pytest.fixture(scope="module")
def wide(tmp_path_factory, chromium):
    tmp = tmp_path_factory.mktemp("wide")
    lake = WideLake(tmp / "lake")
    build(lake.builder.lake, tmp)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report_data, "COMPLIANCE_ROWS", COMPLIANCE_ROWS)  # fewer than the findings
        earlier = build_report(lake.builder.lake, REPORT_DAY - timedelta(days=1))
        result = build_report(lake.builder.lake, REPORT_DAY)
    page = open_page(chromium, result.path)
    unfiltered = page.dom()
    yield lake, result, earlier, page, unfiltered, Warehouse(lake.builder.lake.warehouse)


def _set_filter(page, **values) -> None:
    """Change the form as a person would (each change is one re-draw) and wait for it."""
    p = page.page
    for name, value in values.items():
        before = int(p.evaluate("Number(document.body.dataset.drawn)"))
        if name in ("from", "to"):
            p.fill(f"input[name={name}]", value.isoformat())
            p.dispatch_event(f"input[name={name}]", "change")
        else:
            p.select_option(f"select[name={name}]", value)
        page.drawn(before + 1)


@pytest.fixture(scope="module")
def filtered(wide):
    lake, result, earlier, page, unfiltered, wh = wide
    _set_filter(page, **FILTER)
    return wide


def _csv(page, section: str) -> list[list[str]]:
    """The CSV a click on the section's link downloads."""
    with page.page.expect_download() as info:
        page.page.click(f'[data-section="{section}"] a.csv')
    text = Path(info.value.path()).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


def _csv_offered(page, section: str) -> list[list[str]]:
    """The CSV the section's link offers, read from its blob in the page. Headless Chromium
    delivers only so many downloads from one page without asking (measured: the twelfth never
    arrives), so a test that reads every chart's CSV clicks one and reads the others' blobs: the
    same bytes a click saves, under the same visible link with a .csv download name."""
    selector = f'[data-section="{section}"] a.csv'
    assert page.page.is_visible(selector), f"{section}: no visible CSV link"
    name, text = page.page.eval_on_selector(
        selector,
        "async (a) => [a.download, await (await fetch(a.href)).text()]",
    )
    assert name.endswith(".csv"), (section, name)
    return list(csv.reader(io.StringIO(text)))


def _plot_svg(dom, plot_id: str):
    div = dom.by_id(plot_id)
    assert div is not None, f"no element #{plot_id} in the rendered page"
    assert "js-plotly-plot" in div.classes, f"#{plot_id} is not a drawn plotly chart"
    assert div.find_all("svg", "main-svg"), f"#{plot_id} was not drawn (no svg.main-svg)"
    return div


# ---- files, offline, console ----------------------------------------------------------------


def test_report_files_are_offline_and_beside_each_other(wide):
    lake, result, _, page, dom, _ = wide
    folder = result.path.parent
    assert result.path == lake.builder.lake.reports / "performance" / "2026-03-10" / "index.html"
    assert sorted(p.name for p in folder.iterdir()) == FILES
    scripts = [s.attrs["src"] for s in dom.find_all("script") if "src" in s.attrs]
    assert sorted(scripts) == ["plotly.min.js", "report-data.js", "report.js"], scripts
    html = result.path.read_text()
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert page.remote == []  # nothing was fetched from anywhere but the disk
    # no absolute path on the page (the footer used to print the warehouse's)
    assert str(lake.builder.lake.root) not in html
    footer = dom.find_all("footer")[0].text()
    assert "analytics.duckdb" in footer and not re.search(r"(^|\s)/\w", footer)


def test_the_console_stays_clean(wide, filtered):
    _, _, _, page, _, _ = wide
    # plotly logs its warnings (e.g. "Invalid color specifier") at level "trace"; any message
    # at all is a defect here
    assert page.console == []


# ---- the unfiltered page ------------------------------------------------------------------------


def test_every_chart_is_drawn_with_exactly_the_data(wide):
    lake, result, _, _, dom, _ = wide

    # daily views: one bar per metric day with views (unmatched assets count too)
    daily = lake.views_by(lambda r: r[0])
    assert drawn_traces(_plot_svg(dom, "daily-views")) == [("bar", len(lake.top(daily)))]

    # top titles: the 15 most watched titles, by name (and the empty trace of the colour bar)
    by_work = lake.views_by(lambda r: r[2])
    top15 = lake.top(by_work, 15)
    assert len(top15) == 15 and len(by_work) > 15  # the limit is exercised
    div = _plot_svg(dom, "top-titles")
    assert drawn_traces(div) == [("bar", 15), ("scatter", 0)]
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
    div = _plot_svg(dom, "launch-curves")
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
    div = _plot_svg(dom, "launch-seasons")
    assert sorted(drawn_traces(div)) == sorted(("scatter", len(season_offsets[s])) for s in top6)

    # channels: a bar and a completion marker per channel with views
    channels = lake.top(lake.views_by(lambda r: r[3] if r[2] is not None else None))
    assert drawn_traces(_plot_svg(dom, "channel-mix")) == [
        ("bar", len(channels)),
        ("scatter", len(channels)),
    ]

    # countries: the 15 with the most (title) views, split where the asset may not play
    by_country = lake.views_by(lambda r: r[4] if r[2] is not None else None)
    not_for_sale = lake.views_by(
        lambda r: r[4] if r[2] is not None and r[4] in lake.works[r[2]]["not_for_sale"] else None
    )
    top_countries = lake.top(by_country, 15)
    sale_bars = sum(1 for c in top_countries if by_country[c] - not_for_sale.get(c, 0) > 0)
    nfs_bars = sum(1 for c in top_countries if not_for_sale.get(c, 0) > 0)
    assert nfs_bars == 1  # only US is ever not for sale here
    assert drawn_traces(_plot_svg(dom, "country-mix")) == [("bar", sale_bars), ("bar", nfs_bars)]

    # seasons: the latest 12 of the 14 seasons with views, a bar and a point each
    seasons_with_views = {lake.works[w]["season"] for w, v in by_work.items() if v > 0}
    latest = [s for s in SEASONS if s in seasons_with_views][-12:]
    div = _plot_svg(dom, "season-comparison")
    assert drawn_traces(div) == [("bar", len(latest)), ("scatter", len(latest))]
    assert [t.text() for t in div.find_all("g", "xtick")] == latest

    # the two launch charts sit side by side, each drawn at its column's width (not the page's)
    width = {
        i: float(_plot_svg(dom, i).find_all("svg", "main-svg")[0].attrs["width"])
        for i in ("top-titles", "launch-curves", "launch-seasons")
    }
    assert width["launch-curves"] == width["launch-seasons"] < width["top-titles"] * 0.6

    # imprints
    imprints = lake.top(lake.views_by(lambda r: lake.works[r[2]]["imprint"] if r[2] else None))
    assert drawn_traces(_plot_svg(dom, "imprint-mix")) == [("bar", len(imprints))]


def test_headline_numbers_and_what_tells_them_apart(wide):
    lake, result, _, _, dom, _ = wide
    total = sum(r[5] for r in lake.rows)
    on_day = sum(r[5] for r in lake.rows if r[0] == REPORT_DAY)
    unmatched = sum(r[5] for r in lake.rows if r[2] is None)
    cards = {
        c.find_all("div", "label")[0].text(): (
            c.find_all("div", "value")[0].text(),
            c.find_all("div", "note")[0].text(),
        )
        for c in dom.by_id("headline").find_all("div", "card")
    }
    titles_with_views = sum(1 for v in lake.views_by(lambda r: r[2]).values() if v > 0)
    assert cards["Views"][0] == f"{total:,}"
    # the total and the title charts differ by the unmatched asset's views, and it says so
    assert f"includes {unmatched:,} views of assets matched to no title" in cards["Views"][1]
    assert cards[f"Views on {REPORT_DAY}"][0] == f"{on_day:,}"
    assert cards["Titles with views"][0] == f"{titles_with_views} of {N_WORKS}"
    assert cards["Video assets"][0] == f"{N_WORKS + 1}"
    summary = dom.by_id("summary").text()
    top_work = lake.top(lake.views_by(lambda r: r[2]), 1)[0]
    assert f"The most watched title is {lake.works[top_work]['title']}" in summary
    # not-for-sale views: every country, and how many of them the top-15 chart shows
    nfs = lake.views_by(
        lambda r: r[4] if r[2] is not None and r[4] in lake.works[r[2]]["not_for_sale"] else None
    )
    by_country = lake.views_by(lambda r: r[4] if r[2] is not None else None)
    shown = sum(nfs.get(c, 0) for c in lake.top(by_country, 15))
    assert (
        f"{sum(nfs.values()):,} views were in a country where the asset may not play, counting "
        f"every country; the red bars of the country chart show {shown:,} of them, its top 15 "
        "countries only." in summary
    )


def test_compliance_findings_are_listed_with_a_csv_of_all(wide):
    lake, result, _, page, dom, wh = wide
    findings = wh.con.execute(
        "select finding_type, finding_id, views from marts.mart_compliance_findings "
        "order by views desc nulls last, finding_id"
    ).fetchall()
    assert len(findings) > COMPLIANCE_ROWS  # the top rows are a part
    rows = dom.by_id("compliance-top").find_all("tr")[1:]
    want = findings[:COMPLIANCE_ROWS]
    assert [r.find_all("td")[0].text() for r in rows] == [f[0] for f in want]
    assert [int(r.find_all("td")[4].text().replace(",", "")) for r in rows] == [f[2] for f in want]
    assert dom.by_id("compliance-note").text().startswith(f"{len(findings):,} findings")
    # the CSV holds every finding (the page has not been filtered yet in this module's order,
    # or has: either way the CSV is the list the note counts)
    listed = _csv(page, "compliance")[1:]
    note = page.page.text_content("#compliance-note")
    assert note.startswith(f"{len(listed):,} finding")


# ---- filters ---------------------------------------------------------------------------------


def test_a_filter_redraws_every_chart_with_the_warehouses_numbers(filtered):
    lake, result, _, page, _, wh = filtered
    labels = dict(page.page.evaluate("REPORT_DATA.countries"))

    daily = page.plot("daily-views")[0]
    assert list(zip(daily["x"], daily["y"], strict=True)) == sorted(
        (d.isoformat(), v) for d, v in wh.by("f.metric_date", titled=False)
    )

    top = page.plot("top-titles")[0]
    want = wh.by("t.title, t.imprint_name")[:15]
    got = sorted(zip(top["y"], top["x"], strict=True), key=lambda p: (-p[1], p[0]))
    assert got == sorted(((f"{t}  ·  {i}", v) for t, i, v in want), key=lambda p: (-p[1], p[0]))

    channel = page.plot("channel-mix")
    assert channel[0]["x"] == ["YOUTUBE"] and channel[0]["y"] == [wh.by("f.channel")[0][1]]

    countries = page.plot("country-mix")
    want = wh.by("f.country")[:15]
    nfs = dict(
        wh.by("f.country", extra="and list_contains(coalesce(t.regions_blacklist, []), f.country)")
    )
    assert countries[0]["x"] == [labels[c] for c, v in want if v - nfs.get(c, 0) > 0]
    assert countries[0]["y"] == [v - nfs.get(c, 0) for c, v in want if v - nfs.get(c, 0) > 0]
    assert [(x, y) for x, y in zip(countries[1]["x"], countries[1]["y"], strict=True)] == [
        (labels[c], nfs[c]) for c, _ in want if nfs.get(c)
    ]

    imprints = page.plot("imprint-mix")[0]
    assert imprints["y"] == ["Harbour Press"] and imprints["x"] == [wh.by("t.imprint_name")[0][1]]

    seasons = page.plot("season-comparison")[0]
    by_season = dict(wh.by("t.season_name"))
    assert sorted(seasons["x"]) == sorted(by_season)
    assert dict(zip(seasons["x"], seasons["y"], strict=True)) == by_season

    # launch curves: cumulative views by day from publication, inside the launch window
    launch = wh.by(
        "t.title, f.metric_date - t.first_publication_date",
        extra=f"and f.metric_date - t.first_publication_date between {LAUNCH_WINDOW[0]} "
        f"and {LAUNCH_WINDOW[1]}",
    )
    curves: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for title, offset, views in launch:
        curves[title].append((offset, views))
    got = {t["name"]: list(zip(t["x"], t["y"], strict=True)) for t in page.plot("launch-curves")}
    want = {}
    for title, points in curves.items():
        running, cumulative = 0, []
        for offset, views in sorted(points):
            running += views
            cumulative.append((offset, running))
        want[title] = cumulative
    assert got == want and len(got) <= 8

    # what is drawn is what plotly holds (bars of the daily chart, after the re-draw)
    assert drawn_traces(_plot_svg(page.dom(), "daily-views")) == [("bar", len(daily["x"]))]


def test_the_headline_follows_the_filter(filtered):
    lake, result, _, page, _, wh = filtered
    views = sum(v for _, v in wh.by("f.metric_date", titled=False))
    last = dict(wh.by("f.metric_date", titled=False)).get(FILTER["to"], 0)
    cards = page.page.evaluate(
        "[...document.querySelectorAll('#headline .card')].map(c => "
        "[c.querySelector('.label').textContent, c.querySelector('.value').textContent])"
    )
    cards = dict(cards)
    assert cards["Views"] == f"{views:,}"
    assert cards[f"Views on {FILTER['to']}"] == f"{last:,}"


def test_each_charts_csv_is_its_data_and_its_sql_gives_the_csv(filtered):
    lake, result, _, page, _, wh = filtered
    top = _csv(page, "top-titles")
    assert top[0] == [
        "work_id",
        "title",
        "imprint_name",
        "season_name",
        "views",
        "completion_rate",
        "engagement_rate",
    ]
    want = wh.by("f.work_id")[:15]
    assert [(int(r[0]), int(r[4])) for r in top[1:]] == sorted(want, key=lambda p: (-p[1], p[0]))
    for section in (
        "daily-views",
        "top-titles",
        "launch-curves",
        "launch-seasons",
        "channel-mix",
        "country-mix",
        "season-comparison",
        "imprint-mix",
        "compliance",
    ):
        rows = _csv_offered(page, section)
        sql = page.page.text_content(f'[data-section="{section}"] pre.sql')
        assert "Harbour Press" in sql and "'YOUTUBE'" in sql, section
        cursor = wh.con.execute(sql)
        assert [d[0] for d in cursor.description] == rows[0], section
        assert _same(rows[1:], cursor.fetchall()), section


def _same(csv_rows: list[list[str]], sql_rows: list[tuple]) -> bool:
    """CSV cells equal the SQL's values: numbers to 6 significant digits (completed views travel
    to the page in hundredths), the rest as text."""
    if len(csv_rows) != len(sql_rows):
        return False
    for got, want in zip(csv_rows, sql_rows, strict=True):
        for g, w in zip(got, want, strict=True):
            if w is None:
                if g != "":
                    return False
            elif isinstance(w, float):
                if abs(float(g) - w) > 1e-6 * max(1.0, abs(w)) + 1e-4:
                    return False
            elif isinstance(w, int) and not isinstance(w, bool):
                if int(g) != w:
                    return False
            elif str(w) != g:
                return False
    return True


# ---- index, empty warehouse, the Airflow edge -------------------------------------------------


def test_the_index_lists_every_dated_report_newest_first(wide):
    lake, result, earlier, page, _, _ = wide
    index = lake.builder.lake.reports / "performance" / "index.html"
    p = page.page.context.new_page()
    p.goto(index.resolve().as_uri())
    links = p.eval_on_selector_all("#reports td a", "els => els.map(a => a.getAttribute('href'))")
    assert links == [f"{REPORT_DAY}/index.html", f"{REPORT_DAY - timedelta(days=1)}/index.html"]
    hrefs = p.eval_on_selector_all("header a", "els => els.map(a => a.getAttribute('href'))")
    assert hrefs == [
        "../data_docs/index.html",
        "../data_docs/marts/results.html",
        "../data_docs/raw/results.html",
        "../catalogue/index.html",
    ]
    total = sum(r[5] for r in lake.rows)
    assert p.inner_text("#reports tbody tr:first-child td:nth-child(2)") == f"{total:,}"
    p.close()


def test_an_empty_warehouse_says_why_each_chart_is_missing(tmp_path, chromium):
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
    page = open_page(chromium, result.path)
    dom = page.dom()
    assert page.console == []
    assert dom.find_all("svg", "main-svg") == []
    expected = {
        "daily-views": "No views recorded for this selection yet.",
        "top-titles": "No title has any views yet.",
        "launch-curves": "No launch-window data yet: no title has views within -28..56 days of "
        "its first publication on the loaded metric dates.",
        "launch-seasons": "No launch-window data yet, so no season curves.",
        "channel-mix": "No channel data yet.",
        "country-mix": "No country data yet.",
        "season-comparison": "No season has any views yet.",
        "imprint-mix": "No imprint has any views yet.",
    }
    for section, sentence in expected.items():
        el = dom.by_id(f"{section}-empty")
        assert el is not None and "hidden" not in el.attrs and el.text() == sentence, section
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
    index = tmp_path / "lake" / "reports" / "imprints" / "index.csv"
    export = got["data"]["imprint_export"]
    assert export["path"] == str(index) and index.exists() and export["files"] > 0
    assert got["details"] == [
        "reason: x",
        f"performance report: {page}",
        f"imprint/season export: {index} ({export['files']} CSV files, {export['titles']} titles)",
    ]
    assert got["data"]["mode"] == "full" and got["data"]["report"]["path"] == str(page)
    assert summary["views"] == sum(r[5] for r in lake.rows)
