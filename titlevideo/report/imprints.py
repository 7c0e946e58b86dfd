"""The imprint and season export: a CSV per imprint per publication season, for publishing leads.

Consonance has no record for an imprint's or a launch campaign's performance (its schema has no
imprint- or season-level object the API can write to: imprints and seasons are names on a work),
so the performance of an imprint's season is exported here instead of written back::

    <LAKE_ROOT>/reports/imprints/index.csv                       one row per season and imprint
    <LAKE_ROOT>/reports/imprints/<season>/<imprint>.csv          one row per title

Both come from ``marts.mart_title_performance`` (title totals over every loaded metric date), so
the totals equal the marts'. Titles without a season or an imprint are grouped under ``No
season`` and ``Unassigned``. The whole ``imprints/`` directory is built under a temp name and
renamed into place: a rerun replaces it, and a season or imprint that is gone leaves no file.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from titlevideo.config import Lake
from titlevideo.lake import replace_dir

log = logging.getLogger(__name__)

NO_SEASON = "No season"
UNASSIGNED = "Unassigned"

#: The per-title columns, in order (all from mart_title_performance).
TITLE_COLUMNS = (
    "work_id",
    "title",
    "tier",
    "title_status",
    "first_publication_date",
    "n_assets",
    "n_published_assets",
    "views",
    "watch_time_seconds",
    "completed_views",
    "completion_rate",
    "engagements",
    "engagement_rate",
    "first_metric_date",
    "last_metric_date",
)
INDEX_COLUMNS = (
    "season_name",
    "imprint_name",
    "file",
    "n_titles",
    "n_titles_with_video",
    "views",
    "watch_time_seconds",
    "completed_views",
    "completion_rate",
    "engagements",
    "engagement_rate",
)


@dataclass(frozen=True)
class ImprintExport:
    path: Path
    files: int
    titles: int

    def summary(self) -> dict[str, Any]:
        return {"path": str(self.path), "files": self.files, "titles": self.titles}


def slug(name: str) -> str:
    """A file-system-safe name: ``Orchard Children's`` -> ``orchard-childrens``."""
    s = re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "")).strip("-")
    return s or "unnamed"


def _csv(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(columns)
    for row in rows:
        out.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def _rate(num: Any, den: int) -> float | None:
    # num may be a Decimal (completed_views is exact in the marts): the rate is a float as elsewhere
    return round(float(num) / den, 6) if den else None


def write_imprint_exports(lake: Lake, *, warehouse: Path | None = None) -> ImprintExport:
    """Write ``reports/imprints/`` from the warehouse; return where and how much."""
    warehouse = warehouse or lake.warehouse
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run warehouse_build first")
    cols = ", ".join(TITLE_COLUMNS)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"""
            select coalesce(season_name, ?) as season, coalesce(imprint_name, ?) as imprint, {cols}
            from marts.mart_title_performance
            order by season, imprint, views desc, work_id
            """,
            [NO_SEASON, UNASSIGNED],
        ).fetchall()

    groups: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for season, imprint, *rest in rows:
        groups.setdefault((season, imprint), []).append(tuple(rest))

    target = lake.reports / "imprints"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".imprints.tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    index: list[tuple[Any, ...]] = []
    at = {c: i for i, c in enumerate(TITLE_COLUMNS)}
    try:
        for (season, imprint), titles in groups.items():
            rel = Path(slug(season)) / f"{slug(imprint)}.csv"
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_text(_csv(TITLE_COLUMNS, titles), encoding="utf-8")
            views = sum(t[at["views"]] or 0 for t in titles)
            completed = sum(t[at["completed_views"]] or 0 for t in titles)
            engagements = sum(t[at["engagements"]] or 0 for t in titles)
            index.append(
                (
                    season,
                    imprint,
                    rel.as_posix(),
                    len(titles),
                    sum(1 for t in titles if (t[at["n_assets"]] or 0) > 0),
                    views,
                    sum(t[at["watch_time_seconds"]] or 0 for t in titles),
                    completed,
                    _rate(completed, views),
                    engagements,
                    _rate(engagements, views),
                )
            )
        (tmp / "index.csv").write_text(_csv(INDEX_COLUMNS, index), encoding="utf-8")
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result = ImprintExport(target / "index.csv", len(index), len(rows))
    log.info(
        "imprint and season export: %s (%d files, %d titles)",
        result.path,
        result.files,
        result.titles,
    )
    return result
