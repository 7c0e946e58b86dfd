"""One warehouse measurement in this process, for :mod:`bench.run` (which measures its peak RSS).

    python bench/wh_worker.py JOB.json

Tasks (``task`` in the job):

* ``build`` — ``build_warehouse`` on the lake (``full_rebuild`` as given; GX suites on); reports
  wall time, the time per model, the model tests and the GX suites.
* ``scan`` — DuckDB's raw scan of the season's metric Parquet: one pass that reads every column
  the title-performance mart uses and aggregates it (the floor).
* ``store`` — DuckDB storing the same Parquet as one table in a new file (the floor of storing the
  fact).
* ``export_dims`` — the two small inputs of the pandas mart, from the warehouse (not timed).
* ``pandas`` — :func:`bench.pandas_mart.mart_title_performance` on the season's Parquet.
* ``verify`` — the pandas mart equals ``marts.mart_title_performance``.

Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from procstat import vmhwm_mb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


#: The models between the raw metrics and mart_title_performance (the mart rolls up the fact's
#: per-asset daily sums; the small dimensions are not on the path, as pandas gets them for free).
TITLE_PERFORMANCE_PATH = (
    "fct_video_daily",
    "int_video_asset_channel_daily",
    "mart_title_performance",
)


def build(job: dict[str, Any]) -> dict[str, Any]:
    import duckdb  # noqa: F401

    from titlevideo.config import Lake
    from titlevideo.warehouse.build import build_warehouse

    lake = Lake(Path(job["lake"]))
    if job.get("threads"):  # the serial profile: dbt runs one node at a time
        import os

        os.environ["TITLEVIDEO_DBT_THREADS"] = str(job["threads"])
    # The build's GX worker process imports Great Expectations while dbt builds; the import is
    # timed apart, in a fresh process of its own (minus that of an empty one), to show its cost.
    gx_import_s = _import_seconds("great_expectations") - _import_seconds("")
    started = time.perf_counter()
    result = build_warehouse(
        lake,
        day=date.fromisoformat(job["day"]),
        full_rebuild=job["full_rebuild"],
        validate="default" if job.get("validate", True) else None,
    )
    seconds = time.perf_counter() - started
    models = {m.name: round(m.seconds, 3) for m in result.models}
    layers: dict[str, float] = {}
    for m in result.models:
        layers[m.layer] = layers.get(m.layer, 0.0) + m.seconds
    tests_s = sum(t.seconds for t in result.tests)
    on_fact = _reading_the_fact(lake)
    summary = result.summary()
    return {
        "seconds": seconds,
        "mode": result.plan.mode,
        "reason": result.plan.reason,
        "reloaded_dates": summary["reloaded_dates"],
        "fact_rows": summary["rows"].get("fct_video_daily"),
        "models_s": round(sum(m.seconds for m in result.models), 3),
        "layers_s": {k: round(v, 3) for k, v in layers.items()},
        "model_s": models,
        "title_performance_path_s": round(sum(models.get(m, 0) for m in TITLE_PERFORMANCE_PATH), 3),
        "tests_s": round(tests_s, 3),
        # models downstream of the fact, and the rest (rebuilt from the day's snapshots whatever
        # the number of metric dates loaded)
        "fact_models_s": round(sum(v for k, v in models.items() if k in on_fact), 3),
        "snapshot_models_s": round(sum(v for k, v in models.items() if k not in on_fact), 3),
        "prepare_s": result.timings.get("prepare"),
        "tests": len(result.tests),
        "quality_s": result.quality.get("seconds"),
        "gx_import_s": round(gx_import_s, 3),
        "dbt_parse_s": result.timings.get("dbt_parse"),
        "dbt_build_s": result.timings.get("dbt_build"),
        "dbt_docs_s": result.timings.get("dbt_docs"),
        "suites_passed": result.quality.get("suites_passed"),
    }


def _reading_the_fact(lake: Any) -> set[str]:
    """fct_video_daily and every model downstream of it (dbt's manifest of the build)."""
    from titlevideo.warehouse.build import DBT_DIR

    manifest = json.loads((lake.warehouse_dir / DBT_DIR / "target" / "manifest.json").read_text())
    children = manifest["child_map"]
    todo = ["model.titlevideo.fct_video_daily"]
    seen: set[str] = set()
    while todo:
        uid = todo.pop()
        if uid not in seen:
            seen.add(uid)
            todo += [c for c in children.get(uid, []) if c.startswith("model.")]
    return {uid.rsplit(".", 1)[1] for uid in seen}


def _import_seconds(module: str) -> float:
    import subprocess

    code = f"import {module}" if module else "pass"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def scan(job: dict[str, Any]) -> dict[str, Any]:
    import duckdb
    from pandas_mart import metric_files

    files = metric_files(Path(job["lake"]) / "raw")
    con = duckdb.connect()
    started = time.perf_counter()
    row = con.execute(
        """
        select
            count(*),
            count(distinct metric_date),
            sum(views),
            sum(unique_viewers),
            sum(watch_time_seconds),
            sum(views * completion_rate),
            sum(likes),
            sum(comments),
            sum(shares),
            count(distinct asset_id)
        from read_parquet(?)
        """,
        [files],
    ).fetchone()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": row[0], "dates": row[1], "views": int(row[2] or 0)}


def store(job: dict[str, Any]) -> dict[str, Any]:
    """DuckDB storing the season's metric Parquet as one table, as read (no join, no new column):
    the floor of any path that keeps the fact in the warehouse."""
    import duckdb
    from pandas_mart import metric_files

    from titlevideo.warehouse.build import STORAGE_VERSION

    files = metric_files(Path(job["lake"]) / "raw")
    path = Path(job["out"]) / "store-floor.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})
    try:
        started = time.perf_counter()
        con.execute("create table metrics as select * from read_parquet(?)", [files])
        con.execute("checkpoint")
        seconds = time.perf_counter() - started
        rows = con.execute("select count(*) from metrics").fetchone()
    finally:
        con.close()
        path.unlink(missing_ok=True)
    return {"seconds": seconds, "rows": rows[0] if rows else 0}


def export_dims(job: dict[str, Any]) -> dict[str, Any]:
    import duckdb
    from pandas_mart import TITLE_COLUMNS

    out = Path(job["out"])
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(Path(job["lake"]) / "warehouse" / "analytics.duckdb"), read_only=True)
    cols = ", ".join(TITLE_COLUMNS)
    con.execute(f"select {cols} from marts.dim_title").to_arrow_table()  # warm
    titles = con.sql(f"select {cols} from marts.dim_title").df()
    assets = con.sql("select asset_id, work_id, publishing_status from marts.dim_video_asset").df()
    mart = con.sql("select * from marts.mart_title_performance").df()
    titles.to_pickle(out / "titles.pkl")
    assets.to_pickle(out / "assets.pkl")
    mart.to_pickle(out / "duckdb_mart.pkl")
    return {"titles": len(titles), "assets": len(assets), "mart_rows": len(mart)}


def pandas_task(job: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd
    from pandas_mart import mart_title_performance, metric_files

    out = Path(job["out"])
    titles = pd.read_pickle(out / "titles.pkl")
    assets = pd.read_pickle(out / "assets.pkl")
    files = metric_files(Path(job["lake"]) / "raw")
    started = time.perf_counter()
    mart = mart_title_performance(files, titles, assets)
    seconds = time.perf_counter() - started
    if job.get("keep"):
        mart.to_pickle(out / "pandas_mart.pkl")
    return {"seconds": seconds, "rows": len(mart), "files": len(files)}


def verify(job: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd
    from pandas_mart import compare

    out = Path(job["out"])
    return compare(pd.read_pickle(out / "pandas_mart.pkl"), pd.read_pickle(out / "duckdb_mart.pkl"))


TASKS = {
    "build": build,
    "scan": scan,
    "store": store,
    "export_dims": export_dims,
    "pandas": pandas_task,
    "verify": verify,
}


def main() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)
    job = json.loads(Path(sys.argv[1]).read_text())
    result = TASKS[job["task"]](job)
    result["vmhwm_mb"] = vmhwm_mb()
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
