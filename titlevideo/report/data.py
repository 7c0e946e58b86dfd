"""What the performance report shows, read from the warehouse marts over a read-only connection.

Every query is a fixed string with bound parameters; each returns plain Python rows (small: tops,
per-channel, per-country, per-season aggregates), so the charts never hold the daily facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

#: How many bars / lines each chart shows (the test expects these numbers).
TOP_TITLES = 15
TOP_COUNTRIES = 15
LAUNCH_TITLES = 8
LAUNCH_SEASONS = 6
SEASONS = 12
DAILY_DAYS = 90

_SEASON_ORDER = {"spring": 0, "summer": 1, "autumn": 2, "winter": 3}
_SEASON_RE = re.compile(r"^\s*(spring|summer|autumn|winter)\s+(\d{4})\s*$", re.IGNORECASE)


def season_sort_key(name: str) -> tuple[int, int, str]:
    """Chronological order of publishing seasons (``Winter 2025`` = Dec 2025 – Feb 2026);
    names that are not a season (``Unassigned``) go last, alphabetically."""
    m = _SEASON_RE.match(name or "")
    if not m:
        return (10_000, 0, name or "")
    return (int(m.group(2)), _SEASON_ORDER[m.group(1).lower()], "")


@dataclass
class Totals:
    n_titles: int = 0
    n_titles_with_video: int = 0
    n_titles_with_views: int = 0
    n_assets: int = 0
    n_unmatched_assets: int = 0
    views: int = 0
    views_unmatched: int = 0
    watch_time_seconds: float = 0.0
    completed_views: int = 0
    engagements: int = 0
    first_metric_date: date | None = None
    last_metric_date: date | None = None
    views_on_day: int = 0
    views_previous_7_days_avg: float | None = None

    @property
    def completion_rate(self) -> float | None:
        return self.completed_views / self.views if self.views else None

    @property
    def engagement_rate(self) -> float | None:
        return self.engagements / self.views if self.views else None


@dataclass
class ReportData:
    """Everything the page needs, already aggregated."""

    day: date
    built_at: datetime | None = None
    build_logical_date: date | None = None
    build_mode: str | None = None
    totals: Totals = field(default_factory=Totals)
    #: (metric_date, views) for the DAILY_DAYS days up to the report day
    daily: list[tuple[date, int]] = field(default_factory=list)
    #: (title, imprint, season, views, completion_rate, engagement_rate), views desc
    top_titles: list[tuple[str, str | None, str | None, int, float | None, float | None]] = field(
        default_factory=list
    )
    #: title → [(days_from_publication, cumulative_views)]
    launch_titles: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    #: season → [(days_from_publication, average views per title)]
    launch_seasons: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    launch_window: tuple[int, int] | None = None
    #: (channel, views, completion_rate, engagement_rate), views desc
    channels: list[tuple[str, int, float | None, float | None]] = field(default_factory=list)
    #: (country, views, views_not_for_sale), views desc
    countries: list[tuple[str, int, int]] = field(default_factory=list)
    #: (season, titles, titles_with_video, views, views_per_title_with_video), chronological
    seasons: list[tuple[str, int, int, int, float | None]] = field(default_factory=list)
    #: (imprint, titles_with_video, views, completion_rate), views desc
    imprints: list[tuple[str, int, int, float | None]] = field(default_factory=list)
    #: (finding_type, findings, views)
    compliance: list[tuple[str, int, int]] = field(default_factory=list)


def _int(value: Any) -> int:
    return int(value or 0)


def _date(value: Any) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


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

    def rows(sql: str, params: list[Any] | None = None) -> list[tuple]:
        return con.execute(sql, params or []).fetchall()

    info = rows("select built_at, logical_date, mode from meta.build_info limit 1")
    if info:
        data.built_at, logical, data.build_mode = info[0]
        data.build_logical_date = _date(logical)

    t = data.totals
    t.n_titles, t.n_titles_with_video, t.n_titles_with_views = rows(
        """
        select
            count(*),
            count(*) filter (where n_assets > 0),
            count(*) filter (where views > 0)
        from marts.mart_title_performance
        """
    )[0]
    # every view, including those of assets not matched to a title (the title marts leave them out)
    views, watch, completed, engagements, unmatched, first, last = rows(
        """
        select
            coalesce(sum(views), 0),
            coalesce(sum(watch_time_seconds), 0),
            coalesce(sum(completed_views), 0),
            coalesce(sum(engagements), 0),
            coalesce(sum(views) filter (where work_id is null), 0),
            min(metric_date),
            max(metric_date)
        from marts.fct_video_daily
        """
    )[0]
    t.views, t.completed_views, t.engagements = _int(views), _int(completed), _int(engagements)
    t.views_unmatched = _int(unmatched)
    t.watch_time_seconds = float(watch or 0)
    t.first_metric_date, t.last_metric_date = _date(first), _date(last)
    t.n_assets, t.n_unmatched_assets = rows(
        "select count(*), count(*) filter (where work_id is null) from marts.dim_video_asset"
    )[0]

    daily = rows(
        """
        select metric_date, sum(views)
        from marts.fct_video_daily
        where metric_date between ? and ?
        group by metric_date
        having sum(views) > 0
        order by metric_date
        """,
        [day - timedelta(days=DAILY_DAYS - 1), day],
    )
    data.daily = [(_date(d), _int(v)) for d, v in daily]
    by_day = dict(data.daily)
    t.views_on_day = by_day.get(day, 0)
    previous = [day - timedelta(days=n) for n in range(1, 8)]
    if t.first_metric_date and t.first_metric_date <= previous[-1]:
        t.views_previous_7_days_avg = sum(by_day.get(d, 0) for d in previous) / 7

    data.top_titles = [
        (title, imprint, season, _int(v), cr, er)
        for title, imprint, season, v, cr, er in rows(
            """
            select title, imprint_name, season_name, views, completion_rate, engagement_rate
            from marts.mart_title_performance
            where views > 0
            order by views desc, work_id
            limit ?
            """,
            [TOP_TITLES],
        )
    ]

    window = rows("select launch_window_start_day, launch_window_end_day from ref.windows")
    data.launch_window = (int(window[0][0]), int(window[0][1])) if window else None
    launch = rows(
        """
        with top as (
            select work_id, sum(views) as views
            from marts.mart_launch_window
            group by work_id
            having sum(views) > 0
            order by views desc, work_id
            limit ?
        )
        select t.title, w.work_id, w.days_from_publication, w.cumulative_views, top.views
        from marts.mart_launch_window w
        join top using (work_id)
        join marts.dim_title t using (work_id)
        order by top.views desc, w.work_id, w.days_from_publication
        """,
        [LAUNCH_TITLES],
    )
    names: dict[int, str] = {}
    for title, work_id, offset, cumulative, _ in launch:
        # two titles may share a name: the legend keeps them apart by work id
        label = names.setdefault(
            work_id, title if title not in names.values() else f"{title} ({work_id})"
        )
        data.launch_titles.setdefault(label, []).append((int(offset), _int(cumulative)))

    seasons = rows(
        """
        with launch as (
            select coalesce(t.season_name, 'Unassigned') as season_name, w.work_id,
                   w.days_from_publication, w.views
            from marts.mart_launch_window w
            join marts.dim_title t using (work_id)
        ),
        top as (
            select season_name, sum(views) as views
            from launch
            group by season_name
            having sum(views) > 0
            order by views desc, season_name
            limit ?
        ),
        titles as (
            select season_name, count(distinct work_id) as n_titles
            from launch
            group by season_name
        )
        select launch.season_name, launch.days_from_publication,
               sum(launch.views) / any_value(titles.n_titles) as views_per_title
        from launch
        join top using (season_name)
        join titles using (season_name)
        group by launch.season_name, launch.days_from_publication
        order by launch.season_name, launch.days_from_publication
        """,
        [LAUNCH_SEASONS],
    )
    by_season: dict[str, list[tuple[int, float]]] = {}
    for season, offset, per_title in seasons:
        by_season.setdefault(season, []).append((int(offset), float(per_title)))
    data.launch_seasons = {s: by_season[s] for s in sorted(by_season, key=season_sort_key)}

    data.channels = [
        (channel, _int(v), cr, er)
        for channel, v, cr, er in rows(
            """
            select channel, sum(views),
                   sum(completed_views) / nullif(sum(views), 0),
                   sum(engagements) / nullif(sum(views), 0)
            from marts.mart_title_channel_performance
            group by channel
            having sum(views) > 0
            order by sum(views) desc, channel
            """
        )
    ]
    data.countries = [
        (country, _int(v), _int(nfs))
        for country, v, nfs in rows(
            """
            select country, sum(views), coalesce(sum(views_not_for_sale), 0)
            from marts.mart_title_country_performance
            group by country
            having sum(views) > 0
            order by sum(views) desc, country
            limit ?
            """,
            [TOP_COUNTRIES],
        )
    ]
    season_rows = rows(
        """
        select season_name, n_titles, n_titles_with_video, views, views_per_title_with_video
        from marts.mart_season_performance
        where views > 0
        """
    )
    season_rows.sort(key=lambda r: season_sort_key(r[0]))
    data.seasons = [(s, _int(n), _int(nv), _int(v), vpt) for s, n, nv, v, vpt in season_rows][
        -SEASONS:
    ]
    data.imprints = [
        (imprint, _int(nv), _int(v), cr)
        for imprint, nv, v, cr in rows(
            """
            select imprint_name, n_titles_with_video, views, completion_rate
            from marts.mart_imprint_performance
            where views > 0
            order by views desc, imprint_name
            """
        )
    ]
    data.compliance = [
        (kind, _int(n), _int(v))
        for kind, n, v in rows(
            """
            select finding_type, count(*), coalesce(sum(views), 0)
            from marts.mart_compliance_findings
            group by finding_type
            order by count(*) desc, finding_type
            """
        )
    ]
    return data
