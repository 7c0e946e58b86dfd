"""What the performance report shows, read from the warehouse marts over a read-only connection.

The page filters client-side (season, imprint, channel, date range) and re-draws every chart, so
it gets the facts rather than one aggregate per chart:

* **two cubes** of ``marts.fct_video_daily`` less the asset (views of assets matched to no title
  under title 0): views per title × channel × viewer country × metric date × whether the asset
  may play there, and views, completed views, engagements and watch time per title × channel ×
  metric date; packed column by column and gzip'd (with the titles and the findings, about 2 MB
  for a 90-day lake of the default world); ``report.js`` unpacks them with the browser's
  ``DecompressionStream``;
* the titles (name, season, imprint, first publication, whether they have video), the channels,
  the countries, every compliance finding, the build, the launch window;
* each chart's SQL (:data:`CHART_SQL`): what ``report.js`` computes from the cubes, computed from
  the marts, with the page's filters as its ``where``. The page shows it (it reproduces the
  chart's CSV in ``make sql``) and the tests check that the two agree.

The cubes cover the :data:`MAX_DAYS` metric dates up to the report day. Every query is a fixed
string with bound parameters.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import numpy as np

from titlevideo.report import readiness as readiness_data
from titlevideo.report.readiness import Readiness

#: How many bars / lines each chart shows (the tests expect these numbers).
TOP_TITLES = 15
TOP_COUNTRIES = 15
LAUNCH_TITLES = 8
LAUNCH_SEASONS = 6
SEASONS = 12
COMPLIANCE_ROWS = 20
#: The report's facts: at most this many metric dates up to the report day.
MAX_DAYS = 366
UNMATCHED = "(not matched to a title)"

_SEASON_ORDER = {"spring": 0, "summer": 1, "autumn": 2, "winter": 3}
_SEASON_RE = re.compile(r"^\s*(spring|summer|autumn|winter)\s+(\d{4})\s*$", re.IGNORECASE)


def season_sort_key(name: str) -> tuple[int, int, str]:
    """Chronological order of publishing seasons (``Winter 2025`` = Dec 2025 – Feb 2026);
    names that are not a season (``Unassigned``) go last, alphabetically."""
    m = _SEASON_RE.match(name or "")
    if not m:
        return (10_000, 0, name or "")
    return (int(m.group(2)), _SEASON_ORDER[m.group(1).lower()], "")


# --------------------------------------------------------------------------------------------
# The SQL of each chart. ``{where}`` is the page's filters on ``f`` (fct_video_daily) and ``t``
# (dim_title), ``{title_where}`` its season and imprint only, ``{finding_where}`` the filters on
# the findings ``c``; report.js fills them ("true" when no filter is set).
# --------------------------------------------------------------------------------------------

FACTS = """from marts.fct_video_daily f
left join marts.dim_title t on t.work_id = f.work_id"""
#: Chronological order of a season name (names that are not seasons last), in SQL.
SEASON_ORDER_SQL = (
    "coalesce(try_cast(split_part({col}, ' ', 2) as integer) * 10 + list_position("
    "['Spring', 'Summer', 'Autumn', 'Winter'], split_part({col}, ' ', 1)), 1000000)"
)


def _launch(select: str) -> str:
    return f"""select {select},
       f.metric_date - t.first_publication_date as days_from_publication,
       sum(f.views) as views
{FACTS}
where f.work_id is not null and {{where}}
  and f.metric_date - t.first_publication_date between {{lo}} and {{hi}}
group by all
having sum(f.views) > 0"""


CHART_SQL: dict[str, str] = {
    "daily-views": f"""select f.metric_date, sum(f.views) as views
{FACTS}
where {{where}}
group by f.metric_date
having sum(f.views) > 0
order by f.metric_date""",
    "top-titles": f"""select f.work_id, t.title, t.imprint_name, t.season_name,
       sum(f.views) as views,
       sum(f.completed_views) / sum(f.views) as completion_rate,
       sum(f.engagements) / sum(f.views) as engagement_rate
{FACTS}
where f.work_id is not null and {{where}}
group by all
having sum(f.views) > 0
order by views desc, f.work_id
limit {TOP_TITLES}""",
    "launch-curves": f"""with launch as (
{_launch("f.work_id, t.title")}
),
top as (
    select work_id, sum(views) as launch_views
    from launch
    group by work_id
    order by launch_views desc, work_id
    limit {LAUNCH_TITLES}
)
select launch.work_id, launch.title, launch.days_from_publication, launch.views,
       sum(launch.views) over (
           partition by launch.work_id order by launch.days_from_publication
       ) as cumulative_views
from launch
join top using (work_id)
order by top.launch_views desc, launch.work_id, launch.days_from_publication""",
    "launch-seasons": f"""with launch as (
{_launch("coalesce(t.season_name, 'Unassigned') as season_name, f.work_id")}
),
top as (
    select season_name, sum(views) as launch_views, count(distinct work_id) as n_titles
    from launch
    group by season_name
    order by launch_views desc, season_name
    limit {LAUNCH_SEASONS}
)
select launch.season_name, launch.days_from_publication,
       sum(launch.views) / any_value(top.n_titles) as views_per_title
from launch
join top using (season_name)
group by all
order by launch.season_name, launch.days_from_publication""",
    "channel-mix": f"""select f.channel, sum(f.views) as views,
       sum(f.completed_views) / sum(f.views) as completion_rate,
       sum(f.engagements) / sum(f.views) as engagement_rate
{FACTS}
where f.work_id is not null and {{where}}
group by f.channel
having sum(f.views) > 0
order by views desc, f.channel""",
    "country-mix": f"""select f.country, sum(f.views) as views,
       coalesce(sum(f.views) filter (
           where f.country <> 'ZZ' and a.rights_basis <> 'AUDIO_PRODUCT_UNKNOWN'
             and not marts.allows_country(
                 a.allows_anywhere, a.regions_whitelist, a.regions_blacklist, f.country)
       ), 0) as views_not_for_sale
{FACTS}
join marts.dim_video_asset a on a.asset_id = f.asset_id
where f.work_id is not null and {{where}}
group by f.country
having sum(f.views) > 0
order by views desc, f.country
limit {TOP_COUNTRIES}""",
    "season-comparison": f"""with views as (
    select coalesce(t.season_name, 'Unassigned') as season_name, sum(f.views) as views
    {FACTS.replace(chr(10), chr(10) + "    ")}
    where f.work_id is not null and {{where}}
    group by all
    having sum(f.views) > 0
),
titles as (
    select coalesce(t.season_name, 'Unassigned') as season_name, count(*) as n_titles,
           count(*) filter (where p.n_assets > 0) as n_titles_with_video
    from marts.dim_title t
    join marts.mart_title_performance p on p.work_id = t.work_id
    where {{title_where}}
    group by all
),
latest as (
    select season_name, titles.n_titles, titles.n_titles_with_video, views.views,
           views.views / nullif(titles.n_titles_with_video, 0) as views_per_title_with_video,
           {SEASON_ORDER_SQL.format(col="season_name")} as season_order
    from views
    join titles using (season_name)
    order by season_order desc, season_name desc
    limit {SEASONS}
)
select season_name, n_titles, n_titles_with_video, views, views_per_title_with_video
from latest
order by season_order, season_name""",
    "imprint-mix": f"""with views as (
    select coalesce(t.imprint_name, '(no imprint)') as imprint_name, sum(f.views) as views,
           sum(f.completed_views) / sum(f.views) as completion_rate
    {FACTS.replace(chr(10), chr(10) + "    ")}
    where f.work_id is not null and {{where}}
    group by all
    having sum(f.views) > 0
),
titles as (
    select coalesce(t.imprint_name, '(no imprint)') as imprint_name,
           count(*) filter (where p.n_assets > 0) as n_titles_with_video
    from marts.dim_title t
    join marts.mart_title_performance p on p.work_id = t.work_id
    where {{title_where}}
    group by all
)
select imprint_name, titles.n_titles_with_video, views.views, views.completion_rate
from views
join titles using (imprint_name)
order by views desc, imprint_name""",
    "compliance": """select c.finding_type, c.work_id, t.title, c.asset_id, c.placement_id, c.channel,
       c.country, c.views, c.first_metric_date, c.last_metric_date, c.detail, c.finding_id
from marts.mart_compliance_findings c
left join marts.dim_title t on t.work_id = c.work_id
where {finding_where}
order by c.views desc nulls last, c.finding_id""",
}


@dataclass
class ReportData:
    """Everything the page needs; ``payload()`` is what report.js receives."""

    day: date
    built_at: datetime | None = None
    build_logical_date: date | None = None
    build_mode: str | None = None
    launch_window: tuple[int, int] | None = None
    #: the cubes' first and last metric date (None: no facts)
    first_date: date | None = None
    last_date: date | None = None
    #: titles[0] is UNMATCHED; then {id, title, season, imprint, pub, video} by work id
    titles: list[dict[str, Any]] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    #: (code, label) of every country in the facts
    countries: list[tuple[str, str]] = field(default_factory=list)
    n_assets: int = 0
    n_unmatched_assets: int = 0
    rows: int = 0
    views: int = 0
    #: the packed cubes: kind → {rows, data (base64 of gzip)}, see :func:`pack`
    cubes: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    #: the launch-readiness section (rendered as HTML, not part of the payload)
    readiness: Readiness = field(default_factory=Readiness)

    def payload(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "firstDate": self.first_date.isoformat() if self.first_date else None,
            "lastDate": self.last_date.isoformat() if self.last_date else None,
            "launchWindow": list(self.launch_window) if self.launch_window else None,
            "packed": pack_json({"titles": self.titles, "findings": self.findings}),
            "seasons": sorted(
                {t["season"] for t in self.titles[1:] if t["season"]}, key=season_sort_key
            ),
            "nFindings": len(self.findings),
            "imprints": sorted({t["imprint"] for t in self.titles[1:] if t["imprint"]}),
            "channels": self.channels,
            "countries": [list(c) for c in self.countries],
            "nAssets": self.n_assets,
            "nUnmatchedAssets": self.n_unmatched_assets,
            "rows": self.rows,
            "cubes": self.cubes,
            "sql": CHART_SQL,
            "top": {
                "titles": TOP_TITLES,
                "countries": TOP_COUNTRIES,
                "launchTitles": LAUNCH_TITLES,
                "launchSeasons": LAUNCH_SEASONS,
                "seasons": SEASONS,
                "complianceRows": COMPLIANCE_ROWS,
            },
        }


#: The two cubes' columns in packing order (4-byte, 2-byte, then 1-byte ones, so every typed-array
#: view of the buffer is aligned): name → numpy dtype.
#: ``countries``: views per title × channel × viewer country × metric date × may-not-play;
#: ``titles``: views, completed views, engagements, watch time per title × channel × metric date
#: (what every chart but the country mix needs, five times fewer rows).
CUBE_COLUMNS: dict[str, dict[str, Any]] = {
    "countries": {
        "title": np.uint32,  # index into ReportData.titles
        "views": np.uint32,
        "day": np.uint16,  # days after first_date
        "channel": np.uint8,  # index into ReportData.channels
        "country": np.uint8,  # index into ReportData.countries
        "notForSale": np.uint8,  # 1: the asset may not play in that country (a compliance finding)
    },
    "titles": {
        "title": np.uint32,
        "views": np.uint32,
        "completed": np.uint32,  # completed views x 100, rounded (they are fractional)
        "engagements": np.uint32,
        "watch": np.uint32,  # seconds
        "day": np.uint16,
        "channel": np.uint8,
    },
}


def pack(kind: str, columns: dict[str, np.ndarray]) -> str:
    """A cube's columns, concatenated in :data:`CUBE_COLUMNS` order, gzip'd, base64."""
    parts = []
    for name, dtype in CUBE_COLUMNS[kind].items():
        values = np.asarray(columns[name])
        if values.size and (values.min() < 0 or values.max() > np.iinfo(dtype).max):
            raise ValueError(f"report cube column {name} does not fit {np.dtype(dtype).name}")
        parts.append(values.astype(np.dtype(dtype).newbyteorder("<")).tobytes())
    return base64.b64encode(gzip.compress(b"".join(parts), 6, mtime=0)).decode("ascii")


def pack_json(value: Any) -> str:
    text = json.dumps(value, separators=(",", ":"), default=str)
    return base64.b64encode(gzip.compress(text.encode(), 6, mtime=0)).decode("ascii")


def _date(value: Any) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _iso(value: Any) -> str | None:
    day = _date(value)
    return None if day is None else day.isoformat()


def load(warehouse: Path, day: date) -> ReportData:
    """Read the marts of ``warehouse`` (read-only) into a :class:`ReportData` for ``day``."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return _load(con, day)
    finally:
        con.close()


def _load(con: Any, day: date) -> ReportData:
    data = ReportData(day=day)
    con.execute("set enable_progress_bar = false")

    def rows(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return cast("list[tuple[Any, ...]]", con.execute(sql, params or []).fetchall())

    info = rows("select built_at, logical_date, mode from meta.build_info limit 1")
    if info:
        data.built_at, logical, data.build_mode = info[0]
        data.build_logical_date = _date(logical)
    window = rows("select launch_window_start_day, launch_window_end_day from ref.windows")
    data.launch_window = (int(window[0][0]), int(window[0][1])) if window else None

    data.titles = [{"id": None, "title": UNMATCHED, "season": None, "imprint": None}]
    data.titles += [
        {
            "id": int(work_id),
            "title": title or "(untitled)",
            "season": season,
            "imprint": imprint,
            "pub": pub.isoformat() if pub else None,
            "video": bool(n_assets),
        }
        for work_id, title, season, imprint, pub, n_assets in rows(
            """
            select t.work_id, t.title, t.season_name, t.imprint_name, t.first_publication_date,
                   coalesce(p.n_assets, 0)
            from marts.dim_title t
            left join marts.mart_title_performance p on p.work_id = t.work_id
            order by t.work_id
            """
        )
    ]
    index = {t["id"]: n for n, t in enumerate(data.titles) if t["id"] is not None}
    data.n_assets, data.n_unmatched_assets = rows(
        "select count(*), count(*) filter (where work_id is null) from marts.dim_video_asset"
    )[0]

    first = day - timedelta(days=MAX_DAYS - 1)
    by_country = con.execute(
        """
        select
            coalesce(f.work_id, 0) as work_id,
            f.channel,
            f.country,
            f.metric_date,
            coalesce(
                f.work_id is not null and f.country <> 'ZZ'
                and a.rights_basis <> 'AUDIO_PRODUCT_UNKNOWN'
                and not marts.allows_country(
                    a.allows_anywhere, a.regions_whitelist, a.regions_blacklist, f.country),
                false
            ) as not_for_sale,
            sum(f.views) as views
        from marts.fct_video_daily f
        left join marts.dim_video_asset a on a.asset_id = f.asset_id
        where f.metric_date between ? and ?
        group by all
        having sum(f.views) > 0
        order by work_id, f.channel, f.country, f.metric_date, not_for_sale
        """,
        [first, day],
    ).fetchnumpy()
    by_title = con.execute(
        """
        select
            coalesce(work_id, 0) as work_id,
            channel,
            metric_date,
            sum(views) as views,
            sum(completed_views) as completed,
            sum(engagements) as engagements,
            sum(watch_time_seconds) as watch
        from marts.fct_video_daily
        where metric_date between ? and ?
        group by all
        having sum(views) > 0
        order by work_id, channel, metric_date
        """,
        [first, day],
    ).fetchnumpy()
    if len(by_title["work_id"]):
        dates = by_title["metric_date"].astype("datetime64[D]")
        data.first_date = dates.min().astype(date)
        data.last_date = dates.max().astype(date)
        data.channels = sorted({str(c) for c in by_title["channel"]})
        codes = sorted({str(c) for c in by_country["country"]})
        data.countries = [(c, country_label(c)) for c in codes]
        channel = {c: k for k, c in enumerate(data.channels)}
        country = {c: k for k, c in enumerate(codes)}
        origin = np.datetime64(data.first_date, "D")

        def common(cube: dict[str, Any]) -> dict[str, np.ndarray]:
            return {
                "title": np.array([index.get(int(w), 0) for w in cube["work_id"]]),
                "views": np.asarray(cube["views"], dtype=np.float64),
                "day": (cube["metric_date"].astype("datetime64[D]") - origin).astype(np.int64),
                "channel": np.array([channel[str(c)] for c in cube["channel"]]),
            }

        titles = common(by_title)
        titles["completed"] = np.rint(np.asarray(by_title["completed"], dtype=np.float64) * 100)
        titles["engagements"] = np.asarray(by_title["engagements"], dtype=np.float64)
        titles["watch"] = np.asarray(by_title["watch"], dtype=np.float64)
        countries = common(by_country)
        countries["country"] = np.array([country[str(c)] for c in by_country["country"]])
        countries["notForSale"] = np.asarray(by_country["not_for_sale"], dtype=np.uint8)
        data.cubes = {
            "titles": {"rows": len(titles["title"]), "data": pack("titles", titles)},
            "countries": {"rows": len(countries["title"]), "data": pack("countries", countries)},
        }
        data.rows = len(titles["title"]) + len(countries["title"])
        data.views = int(titles["views"].sum())

    data.findings = [
        {
            "type": kind,
            "work": int(work_id) if work_id is not None else None,
            "title": title,
            "asset": asset_id,
            "placement": placement_id,
            "channel": channel,
            "country": country,
            "views": int(views) if views is not None else None,
            "first": _iso(first_day),
            "last": _iso(last_day),
            "detail": detail,
            "id": finding_id,
        }
        for kind, work_id, title, asset_id, placement_id, channel, country, views, first_day, last_day, detail, finding_id in rows(
            CHART_SQL["compliance"].format(finding_where="true")
        )
    ]
    data.readiness = readiness_data.load(con)
    return data


def country_label(code: str) -> str:
    """``GB United Kingdom`` (short names), ``ZZ (unknown)``."""
    if code == "ZZ":
        return "ZZ (unknown)"
    try:
        import pycountry

        country = pycountry.countries.get(alpha_2=code)
    except (ImportError, LookupError, KeyError):
        country = None
    name = getattr(country, "common_name", None) or getattr(country, "name", None)
    if not name:
        return code
    return f"{code} {name if len(name) <= 18 else name[:17] + '…'}"
