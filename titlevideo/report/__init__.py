"""The performance report: one HTML page per run, made from the warehouse marts, and their index.

``build_report(lake, day)`` reads the marts over a read-only connection (``data``: the facts as a
packed cube, the titles, the compliance findings, each chart's SQL), lays out the page (``page``)
and writes::

    <LAKE_ROOT>/reports/performance/<day>/index.html
    <LAKE_ROOT>/reports/performance/<day>/report-data.js    the data (window.REPORT_DATA)
    <LAKE_ROOT>/reports/performance/<day>/report.js         draws, filters, CSVs, SQL (static/)
    <LAKE_ROOT>/reports/performance/<day>/plotly.min.js     plotly.js of the plotly package
    <LAKE_ROOT>/reports/performance/<day>/summary.json      the numbers the index lists
    <LAKE_ROOT>/reports/performance/index.html              every dated report, newest first
    <LAKE_ROOT>/reports/data_docs/index.html                the quality results, offline (quality)

The page needs no network and no server: its filters (season, imprint, channel, date range) run
in the browser and re-draw every chart, each with a CSV of its data and the SQL that computes it
from the warehouse. A section with nothing to draw says so in a sentence instead of showing an
empty axis. A day's directory is written under a temp name and renamed into place, so a rerun
replaces the day's report whole; the index is rewritten after it.

By hand::

    python -c "from datetime import date; from titlevideo.config import Lake; \\
        from titlevideo.report import build_report; print(build_report(Lake.from_env(), date(2026, 11, 26)))"
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from titlevideo.config import Lake
from titlevideo.lake import replace_dir, write_text_atomic

log = logging.getLogger(__name__)

__all__ = ["ReportResult", "build_report", "report_dir", "write_index"]


@dataclass(frozen=True)
class ReportResult:
    path: Path
    day: date
    seconds: float
    #: what the index lists for this report (summary.json)
    numbers: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "day": self.day.isoformat(),
            "seconds": round(self.seconds, 2),
            **{k: v for k, v in self.numbers.items() if k != "day"},
        }


def report_dir(lake: Lake, day: date) -> Path:
    return lake.reports / "performance" / day.isoformat()


def build_report(lake: Lake, day: date, *, warehouse: Path | None = None) -> ReportResult:
    """Render the report for ``day`` from ``warehouse`` (default: the lake's); return where it is."""
    import plotly.io as pio
    import plotly.offline

    from titlevideo.report import data as report_data
    from titlevideo.report.page import DATA_JS, PLOTLY_JS, REPORT_JS, SUMMARY_JSON, data_js, render
    from titlevideo.report.quality import write_quality_pages

    started = time.perf_counter()
    warehouse = warehouse or lake.warehouse
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run warehouse_build first")
    data = report_data.load(warehouse, day)
    template = pio.templates["plotly_white"].to_plotly_json()
    numbers = {
        "day": day.isoformat(),
        "views": data.views,
        "metric_dates": (data.last_date - data.first_date).days + 1
        if data.first_date and data.last_date
        else 0,
        "first_date": data.first_date.isoformat() if data.first_date else None,
        "last_date": data.last_date.isoformat() if data.last_date else None,
        "findings": len(data.findings),
        "built": f"{data.built_at:%Y-%m-%d %H:%M} UTC" if data.built_at else None,
    }

    target = report_dir(lake, day)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{day.isoformat()}.tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        (tmp / PLOTLY_JS).write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
        script = resources.files("titlevideo.report").joinpath("static", REPORT_JS)
        (tmp / REPORT_JS).write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
        (tmp / DATA_JS).write_text(data_js(data, template), encoding="utf-8")
        (tmp / SUMMARY_JSON).write_text(json.dumps(numbers, indent=2), encoding="utf-8")
        (tmp / "index.html").write_text(render(data), encoding="utf-8")
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    write_index(lake)
    write_quality_pages(lake.reports)
    result = ReportResult(target / "index.html", day, time.perf_counter() - started, numbers)
    log.info(
        "performance report for %s: %s (%d fact rows, %d metric dates, %d findings, %.1fs)",
        day,
        result.path,
        data.rows,
        numbers["metric_dates"],
        numbers["findings"],
        result.seconds,
    )
    return result


def write_index(lake: Lake) -> Path:
    """``reports/performance/index.html``: every dated report there, newest first."""
    from titlevideo.report.page import SUMMARY_JSON, render_index

    base = lake.reports / "performance"
    reports = []
    for folder in base.iterdir() if base.is_dir() else ():
        try:
            date.fromisoformat(folder.name)
            numbers = json.loads((folder / SUMMARY_JSON).read_text())
        except (ValueError, OSError):
            continue  # not a dated report (temp dirs, the index), or one from before summaries
        if (folder / "index.html").exists():
            reports.append({**numbers, "day": folder.name})
    reports.sort(key=lambda r: r["day"], reverse=True)
    return write_text_atomic(base / "index.html", render_index(reports))
