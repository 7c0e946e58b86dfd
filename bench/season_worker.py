"""The project extracts a whole season into a fresh lake (the warehouse benchmarks' input).

    python bench/season_worker.py JOB.json

Consonance in full, one ByteNite snapshot, and every metric date of the season, with the same
functions the DAGs call. Prints one JSON line: rows and seconds per part.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from titlevideo.config import Lake
    from titlevideo.connections import Endpoint
    from titlevideo.extract.bytenite import extract_bytenite_metrics, extract_bytenite_snapshot
    from titlevideo.extract.consonance import extract_consonance

    job = json.loads(Path(sys.argv[1]).read_text())
    lake = Lake(Path(job["lake"]))
    today = date.fromisoformat(job["today"])
    cons = Endpoint("consonance_default", job["consonance_url"], job["consonance_key"])
    byte = Endpoint("bytenite_default", job["bytenite_url"], job["bytenite_key"])
    out = {}
    t = time.perf_counter()
    summary = extract_consonance(cons, lake, today, mode="full", today=today)
    out["consonance_s"] = time.perf_counter() - t
    out["works"] = summary["entities"]["works"]["written"]
    t = time.perf_counter()
    snap = extract_bytenite_snapshot(byte, lake, today)
    out["snapshot_s"] = time.perf_counter() - t
    out["snapshot_rows"] = {k: v["written"] for k, v in snap["entities"].items()}
    t = time.perf_counter()
    days = extract_bytenite_metrics(
        byte, lake, date.fromisoformat(job["first"]), date.fromisoformat(job["last"])
    )
    out["metrics_s"] = time.perf_counter() - t
    out["metric_days"] = len(days)
    out["metric_rows"] = sum(d["entities"]["daily_metrics"]["written"] for d in days)
    out["metric_quarantined"] = sum(d["entities"]["daily_metrics"]["quarantined"] for d in days)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
