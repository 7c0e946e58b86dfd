"""The report's charts: one plotly figure per section, or ``None`` when there is nothing to draw.

Each figure is built from :class:`~titlevideo.report.data.ReportData` only. Zero values are
never drawn (a zero-height bar says nothing), so what a chart holds is exactly the rows of its
section that have views.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from titlevideo.report.data import DAILY_DAYS, ReportData

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
ACCENT = "#2f6690"
WARN = "#d1495b"
SECOND = "#f4a259"
LABEL_CHARS = 42
DAY_MS = 86_400_000


def _short(text: str | None, limit: int = LABEL_CHARS) -> str:
    text = text or "(untitled)"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _layout(fig: go.Figure, height: int, **kw: Any) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"family": FONT, "size": 13},
        hoverlabel={"font": {"family": FONT}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        **kw,
    )
    return fig


def daily_views(data: ReportData) -> go.Figure | None:
    if not data.daily:
        return None
    first = data.day - timedelta(days=DAILY_DAYS - 1)
    fig = go.Figure(
        go.Bar(
            x=[d.isoformat() for d, _ in data.daily],
            y=[v for _, v in data.daily],
            name="views",
            marker={"color": ACCENT},
            # a day wide (in ms on a date axis): plotly cannot infer a width from one bar
            width=[DAY_MS * 0.85] * len(data.daily),
            hovertemplate="%{x|%a %d %b %Y}<br>%{y:,} views<extra></extra>",
        )
    )
    half_day = timedelta(hours=12)
    return _layout(
        fig,
        280,
        xaxis={
            "type": "date",
            "range": [
                (datetime.combine(first, time()) - half_day).isoformat(),
                (datetime.combine(data.day, time()) + half_day).isoformat(),
            ],
        },
        yaxis={"title": "views", "rangemode": "tozero"},
    )


def top_titles(data: ReportData) -> go.Figure | None:
    if not data.top_titles:
        return None
    rows = list(reversed(data.top_titles))  # largest on top
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=[f"{_short(t)}  ·  {i or '–'}" for t, i, *_ in rows],
            x=[v for *_, v, _, _ in rows],
            marker={
                "color": [cr or 0 for *_, cr, _ in rows],
                "colorscale": "Blues",
                "cmin": 0,
                "cmax": 1,
                "colorbar": {"title": "completion", "tickformat": ".0%", "thickness": 12},
            },
            customdata=[[s or "–", _pct(cr), _pct(er)] for _, _, s, _, cr, er in rows],
            hovertemplate=(
                "<b>%{y}</b><br>%{x:,} views<br>season %{customdata[0]}<br>"
                "completion %{customdata[1]} · engagement %{customdata[2]}<extra></extra>"
            ),
            text=[f"{v:,}" for *_, v, _, _ in rows],
            textposition="auto",
        )
    )
    return _layout(fig, 90 + 28 * len(rows), xaxis={"title": "views"}, yaxis={"automargin": True})


def launch_titles(data: ReportData) -> go.Figure | None:
    if not data.launch_titles:
        return None
    fig = go.Figure()
    for title, points in data.launch_titles.items():
        fig.add_trace(
            go.Scatter(
                x=[d for d, _ in points],
                y=[v for _, v in points],
                mode="lines+markers",
                name=_short(title, 32),
                line={"shape": "hv", "width": 2},
                marker={"size": 5},
                hovertemplate=f"<b>{_short(title)}</b><br>day %{{x}}: %{{y:,}} views so far<extra></extra>",
            )
        )
    _publication_line(fig, data)
    return _layout(
        fig,
        380,
        xaxis={"title": "days from first publication", "zeroline": False},
        yaxis={"title": "cumulative views", "rangemode": "tozero"},
    )


def launch_seasons(data: ReportData) -> go.Figure | None:
    if not data.launch_seasons:
        return None
    fig = go.Figure()
    for season, points in data.launch_seasons.items():
        fig.add_trace(
            go.Scatter(
                x=[d for d, _ in points],
                y=[v for _, v in points],
                mode="lines+markers",
                name=season,
                line={"width": 2},
                marker={"size": 5},
                hovertemplate=f"<b>{season}</b><br>day %{{x}}: %{{y:,.1f}} views per title<extra></extra>",
            )
        )
    _publication_line(fig, data)
    return _layout(
        fig,
        340,
        xaxis={"title": "days from first publication", "zeroline": False},
        yaxis={"title": "views per title (average)", "rangemode": "tozero"},
    )


def _publication_line(fig: go.Figure, data: ReportData) -> None:
    fig.add_vline(x=0, line={"color": "#999", "dash": "dot", "width": 1})
    if data.launch_window:
        lo, hi = data.launch_window
        fig.update_xaxes(range=[lo - 1, hi + 1])


def channel_mix(data: ReportData) -> go.Figure | None:
    if not data.channels:
        return None
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    channels = [c for c, *_ in data.channels]
    fig.add_trace(
        go.Bar(
            x=channels,
            y=[v for _, v, _, _ in data.channels],
            name="views",
            marker={"color": ACCENT},
            hovertemplate="%{x}: %{y:,} views<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=channels,
            y=[cr for _, _, cr, _ in data.channels],
            name="completion rate",
            mode="markers",
            marker={"color": SECOND, "size": 12, "symbol": "diamond"},
            hovertemplate="%{x}: %{y:.1%} completed<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_yaxes(title_text="views", secondary_y=False)
    fig.update_yaxes(
        title_text="completion rate",
        tickformat=".0%",
        range=[0, 1],
        tickmode="array",
        tickvals=[0, 0.25, 0.5, 0.75, 1],
        showgrid=False,
        secondary_y=True,
    )
    return _layout(fig, 320)


def country_mix(data: ReportData) -> go.Figure | None:
    if not data.countries:
        return None
    labels = {c: _country_label(c) for c, _, _ in data.countries}
    for_sale = [(labels[c], v - nfs) for c, v, nfs in data.countries if v - nfs > 0]
    not_for_sale = [(labels[c], nfs) for c, _, nfs in data.countries if nfs > 0]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=[c for c, _ in for_sale],
            y=[v for _, v in for_sale],
            name="where the title is for sale",
            marker={"color": ACCENT},
            hovertemplate="%{x}: %{y:,} views<extra></extra>",
        )
    )
    if not_for_sale:
        fig.add_trace(
            go.Bar(
                x=[c for c, _ in not_for_sale],
                y=[v for _, v in not_for_sale],
                name="not for sale there (compliance finding)",
                marker={"color": WARN},
                hovertemplate="%{x}: %{y:,} views where not for sale<extra></extra>",
            )
        )
    fig.update_xaxes(categoryorder="array", categoryarray=[labels[c] for c, _, _ in data.countries])
    return _layout(fig, 340, barmode="stack", yaxis={"title": "views"})


def _country_label(code: str) -> str:
    if code == "ZZ":
        return "ZZ (unknown)"
    try:
        import pycountry

        country = pycountry.countries.get(alpha_2=code)
    except (ImportError, LookupError, KeyError):
        country = None
    name = getattr(country, "common_name", None) or getattr(country, "name", None)
    return f"{code} {_short(name, 18)}" if name else code


def season_comparison(data: ReportData) -> go.Figure | None:
    if not data.seasons:
        return None
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    names = [s for s, *_ in data.seasons]
    fig.add_trace(
        go.Bar(
            x=names,
            y=[v for *_, v, _ in data.seasons],
            name="views",
            marker={"color": ACCENT},
            customdata=[[n, nv] for _, n, nv, _, _ in data.seasons],
            hovertemplate=(
                "<b>%{x}</b><br>%{y:,} views<br>%{customdata[1]} of %{customdata[0]} titles "
                "with video<extra></extra>"
            ),
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=names,
            y=[vpt or 0 for *_, vpt in data.seasons],
            name="views per title with video",
            mode="lines+markers",
            marker={"color": SECOND, "size": 9},
            line={"color": SECOND},
            hovertemplate="%{x}: %{y:,.1f} views per title with video<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(title_text="views", secondary_y=False)
    fig.update_yaxes(
        title_text="views per title with video",
        rangemode="tozero",
        tickmode="auto",
        nticks=5,
        showgrid=False,
        secondary_y=True,
    )
    return _layout(fig, 340)


def imprint_mix(data: ReportData) -> go.Figure | None:
    if not data.imprints:
        return None
    rows = list(reversed(data.imprints))
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=[i for i, *_ in rows],
            x=[v for _, _, v, _ in rows],
            marker={"color": ACCENT},
            customdata=[[nv, _pct(cr)] for _, nv, _, cr in rows],
            hovertemplate=(
                "<b>%{y}</b><br>%{x:,} views<br>%{customdata[0]} titles with video · "
                "completion %{customdata[1]}<extra></extra>"
            ),
        )
    )
    return _layout(fig, 90 + 30 * len(rows), xaxis={"title": "views"}, yaxis={"automargin": True})
