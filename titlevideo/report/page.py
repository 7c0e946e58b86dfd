"""The report page: filters, headline cards, one section per chart (with its CSV and its SQL),
the compliance findings. Plain HTML and CSS; ``report.js`` draws everything from
``report-data.js`` with ``plotly.min.js``, all three beside the page, so it renders offline from
``file://``. Also the index of every dated report (``reports/performance/index.html``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any

from titlevideo.report import readiness
from titlevideo.report.data import (
    LAUNCH_SEASONS,
    LAUNCH_TITLES,
    SEASONS,
    TOP_COUNTRIES,
    TOP_TITLES,
    ReportData,
)

PLOTLY_JS = "plotly.min.js"
REPORT_JS = "report.js"
DATA_JS = "report-data.js"
SUMMARY_JSON = "summary.json"
#: Links from a dated report (reports/performance/<day>/) to the quality results (the offline
#: pages of titlevideo.report.quality).
DATA_DOCS = "../../data_docs/index.html"
QUALITY = (
    ("marts", "../../data_docs/marts/results.html"),
    ("raw", "../../data_docs/raw/results.html"),
)
#: The warehouse catalogue (dbt docs, one file: every model, column and test, and the lineage).
CATALOGUE = "../../catalogue/index.html"


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blurb: str
    empty: str


def sections(data: ReportData) -> list[Section]:
    lo, hi = data.launch_window or (None, None)
    window = f"{lo}..{hi} days" if lo is not None else "the launch window"
    return [
        Section(
            "daily-views",
            "Daily views",
            "All video views per metric date in the date range, assets matched to no title "
            "included.",
            "No views recorded for this selection yet.",
        ),
        Section(
            "top-titles",
            "Top titles",
            f"The {TOP_TITLES} titles with the most views; colour is the completion rate.",
            "No title has any views yet.",
        ),
        Section(
            "launch-curves",
            "Launch window: top titles",
            f"Cumulative views by day relative to first publication (day 0), for the "
            f"{LAUNCH_TITLES} titles with the most views inside the launch window ({window}).",
            f"No launch-window data yet: no title has views within {window} of its first "
            "publication on the loaded metric dates.",
        ),
        Section(
            "launch-seasons",
            "Launch window: by season",
            f"Average views per title by day relative to first publication, for the "
            f"{LAUNCH_SEASONS} publication seasons with the most launch-window views (a season's "
            "titles with launch-window views make its average).",
            "No launch-window data yet, so no season curves.",
        ),
        Section(
            "channel-mix",
            "Channel mix",
            "Views of titles per channel (bars) and the share of views watched to the end "
            "(diamonds).",
            "No channel data yet.",
        ),
        Section(
            "country-mix",
            "Country mix",
            f"The {TOP_COUNTRIES} viewer countries with the most views of titles; red is views "
            "where the asset may not play (its title's rights, or its audio product's), each a "
            "compliance finding. Countries beyond these are left out here, their findings not.",
            "No country data yet.",
        ),
        Section(
            "season-comparison",
            "Season comparison",
            f"Views per publication season (the latest {SEASONS} seasons with views), and views "
            "per title that has video.",
            "No season has any views yet.",
        ),
        Section(
            "imprint-mix",
            "Imprints",
            "Views per imprint.",
            "No imprint has any views yet.",
        ),
    ]


CSS = """
:root { --ink: #1d2a35; --muted: #5c6b77; --accent: #2f6690; --card: #f5f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial,
       sans-serif; color: var(--ink); background: #fff; }
header { padding: 28px 32px 12px; border-bottom: 1px solid #e3e8ec; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: var(--muted); }
a { color: var(--accent); }
main { padding: 16px 32px 48px; max-width: 1280px; }
form#filters { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: end; padding: 12px 0;
               position: sticky; top: 0; background: #fff; z-index: 10;
               border-bottom: 1px solid #e3e8ec; }
form#filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
form#filters select, form#filters input { font: inherit; font-size: 14px; padding: 3px 4px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 12px;
         margin: 12px 0 20px; }
.card { background: var(--card); border-radius: 10px; padding: 14px 16px; }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 26px; font-weight: 650; margin: 4px 0; }
.card .note { color: var(--muted); font-size: 12px; min-height: 1em; }
.summary li { margin: 4px 0; }
section { margin-top: 28px; }
section h2 { font-size: 19px; margin: 0 0 2px; }
section p.blurb { margin: 0 0 6px; color: var(--muted); font-size: 14px; }
.tools { font-size: 13px; margin: 0 0 6px; }
.tools a.csv { margin-right: 14px; }
.tools details { display: inline-block; vertical-align: top; }
.tools details[open] { display: block; }
.tools summary { cursor: pointer; color: var(--accent); }
pre.sql { background: var(--card); padding: 10px 12px; border-radius: 6px; font-size: 12px;
          overflow-x: auto; white-space: pre; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 8px 28px; }
.grid > section { min-width: 0; }
p.empty { background: var(--card); border-radius: 8px; padding: 18px; color: var(--muted);
          font-style: italic; }
table { border-collapse: collapse; font-size: 14px; margin: 6px 0 12px; }
th, td { text-align: left; padding: 6px 14px 6px 0; border-bottom: 1px solid #e3e8ec;
         vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.at-risk td.risk { color: #b3261e; }
footer { color: var(--muted); font-size: 12px; margin-top: 36px; }
"""


def _tools(section_id: str) -> str:
    return (
        f'<div class="tools"><a class="csv" href="#" hidden>CSV of this chart</a>'
        f'<details class="sql"><summary>SQL</summary><p class="blurb">Computes this chart\'s '
        "data (its CSV) from the warehouse with the filters set above; run it in "
        f'<code>make sql</code>.</p><pre class="sql" id="{section_id}-sql"></pre></details></div>'
    )


def render(data: ReportData) -> str:
    """The page's HTML (everything it shows is drawn by report.js from report-data.js)."""
    blocks = []
    for s in sections(data):
        blocks.append(
            f'<section data-section="{s.id}"><h2>{escape(s.title)}</h2>'
            f'<p class="blurb">{escape(s.blurb)}</p>{_tools(s.id)}'
            f'<div id="{s.id}" class="chart"></div>'
            f'<p class="empty" id="{s.id}-empty" hidden>{escape(s.empty)}</p></section>'
        )
    # two launch-window charts side by side, the rest full width
    launch = [b for b in blocks if 'data-section="launch-' in b]
    rest = [b for b in blocks if 'data-section="launch-' not in b]
    order = rest[:2] + [f'<div class="grid">{"".join(launch)}</div>'] + rest[2:]
    built = (
        f"warehouse built {data.built_at:%Y-%m-%d %H:%M} UTC ({escape(data.build_mode or '')} "
        f"build for {data.build_logical_date})"
        if data.built_at
        else "warehouse build time unknown"
    )
    quality = ", ".join(f'<a href="{href}">{name}</a>' for name, href in QUALITY)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Title video performance · {data.day}</title>
<script charset="utf-8" src="{PLOTLY_JS}"></script>
<script charset="utf-8" src="{DATA_JS}"></script>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>Title video performance</h1>
<p>Report for {data.day} · {built} · <a href="../index.html">all reports</a> ·
<a href="{DATA_DOCS}">Data Docs</a> (quality results of the last build: {quality}) ·
<a href="{CATALOGUE}">warehouse catalogue</a> (every table and column, lineage)</p>
</header>
<main>
<noscript><p class="empty">This report is drawn by JavaScript (offline, from the files beside
it): allow scripts for this page.</p></noscript>
<form id="filters" autocomplete="off">
<label>Season <select name="season"><option value="">All seasons</option></select></label>
<label>Imprint <select name="imprint"><option value="">All imprints</option></select></label>
<label>Channel <select name="channel"><option value="">All channels</option></select></label>
<label>From <input type="date" name="from"></label>
<label>To <input type="date" name="to"></label>
<button type="reset">Reset</button>
</form>
<div class="cards" id="headline"></div>
<ul class="summary" id="summary"></ul>
{"".join(order)}
{readiness.render(data.readiness)}
<section data-section="compliance"><h2>Compliance findings</h2>
<p class="blurb">Reported, never hidden (<code>marts.mart_compliance_findings</code>). Season,
imprint and channel select the findings of those titles and channels (a channel leaves out
findings that have none); the date range keeps findings whose views overlap it and every finding
about the current state. Views are a finding's views over all loaded dates.</p>
{_tools("compliance").replace("CSV of this chart", "CSV of every finding")}
<p id="compliance-note"></p>
<div id="compliance-counts"></div>
<div id="compliance-top"></div>
<p class="empty" id="compliance-empty" hidden>No compliance findings.</p>
</section>
<footer>Made from the marts of the warehouse (<code>warehouse/analytics.duckdb</code> under the
lake, opened read-only; <code>make sql</code> opens it) by <code>warehouse_build</code>. What each
number means: docs/warehouse.md.</footer>
</main>
<script charset="utf-8" src="{REPORT_JS}"></script>
</body>
</html>
"""


def data_js(data: ReportData, template: dict[str, Any]) -> str:
    payload = {**data.payload(), "template": template}
    text = json.dumps(payload, separators=(",", ":"), default=str)
    # inside a <script> file: keep "</" from ever closing anything
    return "window.REPORT_DATA = " + text.replace("</", "<\\/") + ";\n"


def render_index(reports: list[dict[str, Any]]) -> str:
    """The index of every dated report, newest first, with the quality links."""
    rows = "".join(
        f'<tr><td><a href="{escape(r["day"])}/index.html">{escape(r["day"])}</a></td>'
        f'<td class="num">{r["views"]:,}</td><td class="num">{r["metric_dates"]:,}</td>'
        f"<td>{escape(r.get('first_date') or '–')} – {escape(r.get('last_date') or '–')}</td>"
        f'<td class="num">{r["findings"]:,}</td><td>{escape(r.get("built") or "–")}</td></tr>'
        for r in reports
    )
    table = (
        "<table><thead><tr><th>report</th><th>views</th><th>metric dates</th><th>range</th>"
        "<th>compliance findings</th><th>warehouse built</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        if reports
        else '<p class="empty">No report yet.</p>'
    )
    quality = ", ".join(
        f'<a href="{href.removeprefix("../")}">{name}</a>' for name, href in QUALITY
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Title video performance · reports</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>Title video performance</h1>
<p>Every dated report, newest first · <a href="{DATA_DOCS.removeprefix("../")}">Data Docs</a>
(quality results of the last build: {quality}) ·
<a href="{CATALOGUE.removeprefix("../")}">warehouse catalogue</a></p>
</header>
<main id="reports">
{table}
<footer>Each report is written by <code>warehouse_build</code> for its date and never changed
after; the newest reflects the last build.</footer>
</main>
</body>
</html>
"""
