"""The Airflow edge of the performance report: context in, one call, the path into the run report."""

from __future__ import annotations

import json
from typing import Any

from titlevideo import dagkit


def report_task(context: dict[str, Any]) -> dict[str, Any]:
    """Render the day's report and add its path to ``reports/runs/<day>/warehouse_build.json``
    (which the build task wrote), so the default run's summary points at it."""
    from titlevideo.config import Lake
    from titlevideo.dagkit import run_report_path
    from titlevideo.lake import write_json_atomic
    from titlevideo.report import build_report
    from titlevideo.report.imprints import write_imprint_exports

    day = dagkit.resolve_day(context)
    lake = Lake.from_env()
    result = build_report(lake, day)
    summary = result.summary()
    exported = write_imprint_exports(lake)

    run_report = run_report_path("warehouse_build", day)
    try:
        payload = json.loads(run_report.read_text())
    except (FileNotFoundError, ValueError):
        payload = {"headline": "warehouse built", "details": [], "data": {}}
    line = f"performance report: {result.path}"
    export_line = (
        f"imprint/season export: {exported.path} ({exported.files} CSV files, "
        f"{exported.titles} titles)"
    )
    details = [
        d
        for d in payload.get("details", [])
        if not d.startswith(("performance report: ", "imprint/season export: "))
    ]
    payload["details"] = [*details, line, export_line]
    data = payload.get("data")
    payload["data"] = {
        **(data if isinstance(data, dict) else {}),
        "report": summary,
        "imprint_export": exported.summary(),
    }
    write_json_atomic(run_report, payload)
    return summary
