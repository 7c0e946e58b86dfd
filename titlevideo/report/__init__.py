"""The performance report: one HTML page per run, made from the warehouse marts.

``build_report(lake, day)`` reads the marts over a read-only connection (``data``), draws the
charts with plotly (``charts``: daily views, top titles, launch-window curves by title and by
season, channel and country mix, season comparison, imprints), lays them out with the headline
numbers in text (``page``) and writes::

    <LAKE_ROOT>/reports/performance/<day>/index.html
    <LAKE_ROOT>/reports/performance/<day>/plotly.min.js     (plotly's include_plotlyjs="directory")

The page needs no network: plotly.js sits beside it. A section with nothing to draw says so in a
sentence ("No launch-window data yet: …") instead of showing an empty axis. The directory is
written under a temp name and renamed into place, so a rerun replaces the day's report whole.

By hand::

    python -c "from datetime import date; from titlevideo.config import Lake; \\
        from titlevideo.report import build_report; print(build_report(Lake.from_env(), date(2026, 11, 26)))"
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from titlevideo.config import Lake
from titlevideo.lake import replace_dir

log = logging.getLogger(__name__)

__all__ = ["ReportResult", "build_report", "report_dir"]


@dataclass(frozen=True)
class ReportResult:
    path: Path
    day: date
    charts: list[str]
    empty_sections: list[str]
    seconds: float
    headline: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "day": self.day.isoformat(),
            "charts": self.charts,
            "empty_sections": self.empty_sections,
            "seconds": round(self.seconds, 2),
            "headline": {label: value for label, value, _ in self.headline},
        }


def report_dir(lake: Lake, day: date) -> Path:
    return lake.reports / "performance" / day.isoformat()


def build_report(lake: Lake, day: date, *, warehouse: Path | None = None) -> ReportResult:
    """Render the report for ``day`` from ``warehouse`` (default: the lake's); return where it is."""
    import plotly.offline

    from titlevideo.report import data as report_data
    from titlevideo.report.page import PLOTLY_JS, headline, render

    started = time.perf_counter()
    warehouse = warehouse or lake.warehouse
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run warehouse_build first")
    data = report_data.load(warehouse, day)
    html, drawn, empty = render(data, str(warehouse))

    target = report_dir(lake, day)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{day.isoformat()}.tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        (tmp / PLOTLY_JS).write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
        (tmp / "index.html").write_text(html, encoding="utf-8")
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result = ReportResult(
        target / "index.html", day, drawn, empty, time.perf_counter() - started, headline(data)
    )
    log.info(
        "performance report for %s: %s (%d charts, empty: %s, %.1fs)",
        day,
        result.path,
        len(drawn),
        ", ".join(empty) or "none",
        result.seconds,
    )
    return result
