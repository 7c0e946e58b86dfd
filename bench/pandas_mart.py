"""``mart_title_performance`` written the way a pandas user would, from the same Parquet.

What a user without the project would write: read every metric date's Parquet file, attach each
asset's title, aggregate per title, join the titles. The small inputs (the title dimension and the
asset → title matching, ~50k rows each, exported from the warehouse before the clock starts) are
given to it for free: pandas is timed only on the season's metrics (tens of millions of rows) and
the mart itself. :func:`compare` checks the result against the DuckDB mart, column by column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

METRIC_COLUMNS = [
    "metric_date",
    "asset_id",
    "views",
    "unique_viewers",
    "watch_time_seconds",
    "completion_rate",
    "likes",
    "comments",
    "shares",
]
TITLE_COLUMNS = [
    "work_id",
    "title",
    "imprint_name",
    "season_name",
    "tier",
    "title_status",
    "first_publication_date",
]
SUMS = [
    "views",
    "unique_viewers_sum",
    "watch_time_seconds",
    "completed_views",
    "likes",
    "comments",
    "shares",
    "engagements",
]


def mart_title_performance(
    metric_files: list[str], titles: pd.DataFrame, assets: pd.DataFrame
) -> pd.DataFrame:
    """``titles``: dim_title's columns above; ``assets``: asset_id, work_id, publishing_status."""
    frames = [pd.read_parquet(f, columns=METRIC_COLUMNS) for f in metric_files]
    facts = pd.concat(frames, ignore_index=True)
    del frames
    facts["completed_views"] = facts["views"] * facts["completion_rate"]
    facts["engagements"] = (
        facts["likes"].fillna(0) + facts["comments"].fillna(0) + facts["shares"].fillna(0)
    )
    matched = assets.loc[assets["work_id"].notna(), ["asset_id", "work_id"]]
    facts = facts.merge(matched, on="asset_id", how="inner")
    metrics = facts.groupby("work_id").agg(
        views=("views", "sum"),
        unique_viewers_sum=("unique_viewers", "sum"),
        watch_time_seconds=("watch_time_seconds", "sum"),
        completed_views=("completed_views", "sum"),
        likes=("likes", "sum"),
        comments=("comments", "sum"),
        shares=("shares", "sum"),
        engagements=("engagements", "sum"),
        first_metric_date=("metric_date", "min"),
        last_metric_date=("metric_date", "max"),
        n_metric_days=("metric_date", "nunique"),
    )
    del facts
    known = assets[assets["work_id"].notna()]
    counts = known.groupby("work_id").agg(
        n_assets=("asset_id", "size"),
        n_published_assets=("publishing_status", lambda s: int((s == "PUBLISHED").sum())),
    )
    out = titles[TITLE_COLUMNS].merge(counts, on="work_id", how="left")
    out = out.merge(metrics, on="work_id", how="left")
    for column in ("n_assets", "n_published_assets", "n_metric_days"):
        out[column] = out[column].fillna(0).astype("int64")
    views = out["views"]
    out["completion_rate"] = out["completed_views"] / views.where(views != 0)
    out["engagement_rate"] = out["engagements"] / views.where(views != 0)
    for column in SUMS:
        out[column] = out[column].fillna(0)
    return out


def compare(pandas_mart: pd.DataFrame, duckdb_mart: pd.DataFrame) -> dict[str, Any]:
    """Every column of the DuckDB mart, row by row (by work_id): exact, floats to 1e-9 relative."""
    a = pandas_mart.set_index("work_id").sort_index()
    b = duckdb_mart.set_index("work_id").sort_index()
    problems = []
    if list(a.index) != list(b.index):
        problems.append(f"work ids differ: {len(a)} vs {len(b)} rows")
        return {"equal": False, "rows": len(b), "problems": problems}
    for column in b.columns:
        if column not in a.columns:
            problems.append(f"{column}: missing in the pandas mart")
            continue
        x, y = a[column], b[column]
        if column.endswith("_date"):
            x, y = pd.to_datetime(x), pd.to_datetime(y)
            same = ((x == y) | (x.isna() & y.isna())).to_numpy()
        elif pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
            xv = x.astype("float64").to_numpy()
            yv = y.astype("float64").to_numpy()
            same = np.isclose(xv, yv, rtol=1e-9, atol=1e-9, equal_nan=True)
        else:
            xs = x.astype("object").where(x.notna(), None)
            ys = y.astype("object").where(y.notna(), None)
            same = np.array([str(p) == str(q) for p, q in zip(xs, ys, strict=True)], dtype=bool)
        bad = int((~same).sum())
        if bad:
            problems.append(f"{column}: {bad} rows differ")
    return {"equal": not problems, "rows": len(b), "columns": len(b.columns), "problems": problems}


def metric_files(lake_raw: Path) -> list[str]:
    base = lake_raw / "bytenite" / "daily_metrics"
    return sorted(
        str(f) for f in base.glob("metric_date=*/*.parquet") if not f.name.startswith(".")
    )
