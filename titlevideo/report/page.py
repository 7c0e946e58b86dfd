"""The report page: headline numbers as text, then one section per chart (or a sentence saying
why there is none yet). Plain HTML and CSS; the charts are plotly divs that load
``plotly.min.js`` from the same directory, so the page renders offline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

import plotly.graph_objects as go
import plotly.io as pio

from titlevideo.report import charts
from titlevideo.report.data import (
    DAILY_DAYS,
    LAUNCH_SEASONS,
    LAUNCH_TITLES,
    SEASONS,
    TOP_COUNTRIES,
    TOP_TITLES,
    ReportData,
)

PLOTLY_JS = "plotly.min.js"
PLOT_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blurb: str
    figure: Callable[[ReportData], go.Figure | None]
    empty: str


def sections(data: ReportData) -> list[Section]:
    lo, hi = data.launch_window or (None, None)
    window = f"{lo}..{hi} days" if lo is not None else "the launch window"
    return [
        Section(
            "daily-views",
            "Daily views",
            f"All video views per metric date, the {DAILY_DAYS} days up to {data.day}.",
            charts.daily_views,
            f"No views recorded in the {DAILY_DAYS} days up to {data.day} yet.",
        ),
        Section(
            "top-titles",
            "Top titles",
            f"The {TOP_TITLES} titles with the most views over every loaded date; colour is the "
            "completion rate.",
            charts.top_titles,
            "No title has any views yet.",
        ),
        Section(
            "launch-curves",
            "Launch window: top titles",
            f"Cumulative views by day relative to first publication (day 0), for the "
            f"{LAUNCH_TITLES} titles with the most views inside the launch window ({window}).",
            charts.launch_titles,
            f"No launch-window data yet: no title has views within {window} of its first "
            "publication on the loaded metric dates.",
        ),
        Section(
            "launch-seasons",
            "Launch window: by season",
            f"Average views per title by day relative to first publication, for the "
            f"{LAUNCH_SEASONS} publication seasons with the most launch-window views.",
            charts.launch_seasons,
            "No launch-window data yet, so no season curves.",
        ),
        Section(
            "channel-mix",
            "Channel mix",
            "Views per channel (bars) and the share of views watched to the end (diamonds).",
            charts.channel_mix,
            "No channel data yet.",
        ),
        Section(
            "country-mix",
            "Country mix",
            f"The {TOP_COUNTRIES} viewer countries with the most views; red is views where the "
            "title is not for sale (each one is a compliance finding).",
            charts.country_mix,
            "No country data yet.",
        ),
        Section(
            "season-comparison",
            "Season comparison",
            f"Views per publication season (the latest {SEASONS} seasons with views), and views "
            "per title that has video.",
            charts.season_comparison,
            "No season has any views yet.",
        ),
        Section(
            "imprint-mix",
            "Imprints",
            "Views per imprint over every loaded date.",
            charts.imprint_mix,
            "No imprint has any views yet.",
        ),
    ]


def _n(value: float | int | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def headline(data: ReportData) -> list[tuple[str, str, str]]:
    """(label, value, note) of the headline cards."""
    t = data.totals
    trend = ""
    if t.views_previous_7_days_avg is not None:
        avg = t.views_previous_7_days_avg
        change = (t.views_on_day - avg) / avg if avg else None
        trend = f"7-day average before: {_n(avg)}" + (
            f" ({change:+.0%})" if change is not None else ""
        )
    span = (
        f"{t.first_metric_date} – {t.last_metric_date}"
        if t.first_metric_date
        else "no metric dates loaded yet"
    )
    findings = sum(n for _, n, _ in data.compliance)
    return [
        ("Views", _n(t.views), span),
        (f"Views on {data.day}", _n(t.views_on_day), trend),
        ("Completion rate", _pct(t.completion_rate), "completed views ÷ views"),
        ("Engagement rate", _pct(t.engagement_rate), "likes, comments, shares ÷ views"),
        ("Watch time", f"{t.watch_time_seconds / 3600:,.0f} h", ""),
        (
            "Titles with views",
            f"{_n(t.n_titles_with_views)} of {_n(t.n_titles)}",
            f"{_n(t.n_titles_with_video)} have video",
        ),
        (
            "Video assets",
            _n(t.n_assets),
            f"{_n(t.n_unmatched_assets)} not matched to a title ({_n(t.views_unmatched)} views)",
        ),
        ("Compliance findings", _n(findings), "see the table below"),
    ]


def summary_sentences(data: ReportData) -> list[str]:
    """The report in words, for whoever reads rather than looks."""
    t = data.totals
    out: list[str] = []
    if not t.views:
        return ["No video views are in the warehouse yet."]
    if data.top_titles:
        title, imprint, season, views, *_ = data.top_titles[0]
        out.append(
            f"The most watched title is <b>{escape(title)}</b> ({escape(imprint or '–')}, "
            f"{escape(season or 'no season')}) with {views:,} views, "
            f"{views / t.views:.1%} of all views."
        )
    if data.channels:
        channel, views, completion, _ = data.channels[0]
        out.append(
            f"<b>{escape(channel)}</b> is the biggest channel with {views / t.views:.0%} of views "
            f"(completion {_pct(completion)})."
        )
    if data.countries:
        country, views, _ = data.countries[0]
        out.append(f"Most views come from <b>{escape(country)}</b> ({views:,}).")
        nfs = sum(n for _, _, n in data.countries)
        if nfs:
            out.append(
                f"{nfs:,} views in the top countries were in a country where the title is not "
                "for sale."
            )
    if data.seasons:
        best = max(data.seasons, key=lambda s: s[3])
        out.append(
            f"Of the recent seasons, <b>{escape(best[0])}</b> has the most views ({best[3]:,})."
        )
    if not data.launch_titles:
        out.append("There is no launch-window data yet.")
    return out


CSS = """
:root { --ink: #1d2a35; --muted: #5c6b77; --accent: #2f6690; --card: #f5f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial,
       sans-serif; color: var(--ink); background: #fff; }
header { padding: 28px 32px 12px; border-bottom: 1px solid #e3e8ec; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: var(--muted); }
main { padding: 16px 32px 48px; max-width: 1280px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 12px;
         margin: 12px 0 20px; }
.card { background: var(--card); border-radius: 10px; padding: 14px 16px; }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 26px; font-weight: 650; margin: 4px 0; }
.card .note { color: var(--muted); font-size: 12px; min-height: 1em; }
.summary li { margin: 4px 0; }
section { margin-top: 28px; }
section h2 { font-size: 19px; margin: 0 0 2px; }
section p.blurb { margin: 0 0 8px; color: var(--muted); font-size: 14px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 8px 28px; }
.grid > section { min-width: 0; }
p.empty { background: var(--card); border-radius: 8px; padding: 18px; color: var(--muted);
          font-style: italic; }
table { border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 6px 14px 6px 0; border-bottom: 1px solid #e3e8ec; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
footer { color: var(--muted); font-size: 12px; margin-top: 36px; }
"""


def render(data: ReportData, warehouse: str) -> tuple[str, list[str], list[str]]:
    """The page's HTML, the ids of the charts drawn, and the ids of the sections left empty."""
    drawn: list[str] = []
    empty: list[str] = []
    blocks: list[str] = []
    for s in sections(data):
        fig = s.figure(data)
        if fig is None:
            empty.append(s.id)
            body = f'<p class="empty" id="{s.id}-empty">{escape(s.empty)}</p>'
        else:
            drawn.append(s.id)
            body = pio.to_html(
                fig,
                include_plotlyjs=False,
                full_html=False,
                div_id=s.id,
                config=PLOT_CONFIG,
            )
        blocks.append(
            f'<section data-section="{s.id}"><h2>{escape(s.title)}</h2>'
            f'<p class="blurb">{escape(s.blurb)}</p>{body}</section>'
        )
    cards = "".join(
        f'<div class="card"><div class="label">{escape(label)}</div>'
        f'<div class="value">{escape(value)}</div><div class="note">{escape(note)}</div></div>'
        for label, value, note in headline(data)
    )
    summary = "".join(f"<li>{s}</li>" for s in summary_sentences(data))
    if data.compliance:
        rows = "".join(
            f'<tr><td>{escape(kind)}</td><td class="num">{n:,}</td><td class="num">{v:,}</td></tr>'
            for kind, n, v in data.compliance
        )
        compliance = (
            "<table><thead><tr><th>finding</th><th>findings</th><th>views</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    else:
        compliance = '<p class="empty" id="compliance-empty">No compliance findings.</p>'
    built = (
        f"warehouse built {data.built_at:%Y-%m-%d %H:%M} UTC ({escape(data.build_mode or '')} "
        f"build for {data.build_logical_date})"
        if data.built_at
        else "warehouse build time unknown"
    )
    # two launch-window charts side by side, the rest full width
    launch = [b for b in blocks if 'data-section="launch-' in b]
    rest = [b for b in blocks if 'data-section="launch-' not in b]
    order = rest[:2] + [f'<div class="grid">{"".join(launch)}</div>'] + rest[2:]
    html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Title video performance · {data.day}</title>
<script charset="utf-8" src="{PLOTLY_JS}"></script>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>Title video performance</h1>
<p>Report for {data.day} · {built}</p>
</header>
<main>
<div class="cards" id="headline">{cards}</div>
<ul class="summary" id="summary">{summary}</ul>
{"".join(order)}
<section data-section="compliance"><h2>Compliance findings</h2>
<p class="blurb">Reported, never hidden: details in <code>marts.mart_compliance_findings</code>.</p>
{compliance}</section>
<footer>Made from the marts of {escape(warehouse)} (opened read-only). What each number means:
docs/warehouse.md.</footer>
</main>
</body>
</html>
"""
    return html, drawn, empty
