"""Helpers of the production-stack tier: tries and consumed asset events read through the REST
API, the `make run` path for the same days."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = str(Path(__file__).with_name("reference.py"))


def plain_env() -> dict[str, str]:
    """This process's environment without Airflow's settings and connections."""
    import os

    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_")) and k != "AIRFLOW_HOME"
    }


def wait_until(check: Callable[[], Any], timeout: float, what: str, every: float = 2.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


# --------------------------------------------------------------------------------------------
# What the scheduler did, beyond titlevideo.local.deploy's readers
# --------------------------------------------------------------------------------------------


def tries(api: Any, ti: dict[str, Any]) -> list[dict[str, Any]]:
    """Every try of a task instance (the current one included), by try number."""
    path = (
        f"dags/{ti['dag_id']}/dagRuns/{quote(ti['dag_run_id'], safe='')}/taskInstances/"
        f"{ti['task_id']}/tries"
    )
    found = api.call("GET", path, params={"limit": 100})["task_instances"]
    return sorted(found, key=lambda t: t["try_number"])


def consumed_events(api: Any, dag_id: str, run_id: str) -> list[dict[str, Any]]:
    path = f"dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/upstreamAssetEvents"
    return api.call("GET", path)["asset_events"]


# --------------------------------------------------------------------------------------------
# The `make run` path
# --------------------------------------------------------------------------------------------


@dataclass
class Reference:
    """The same days through `make run`'s ``airflow dags test`` path, in a background process."""

    env: dict[str, str]
    days: list[date]
    log: Path
    proc: subprocess.Popen[str] | None = None
    timings: list[dict[str, Any]] = field(default_factory=list)

    def start(self) -> Reference:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.results = self.log.with_suffix(".jsonl")
        with open(self.log, "w") as log:  # the child keeps its own descriptor
            self.proc = subprocess.Popen(
                [sys.executable, REFERENCE, str(self.results), *(d.isoformat() for d in self.days)],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        return self

    def wait(self, timeout: float = 3600) -> list[dict[str, Any]]:
        assert self.proc is not None
        self.proc.wait(timeout=timeout)
        if self.results.exists():
            self.timings = [json.loads(x) for x in self.results.read_text().splitlines() if x]
        assert self.proc.returncode == 0, (
            f"the make run path failed (rc {self.proc.returncode}):\n"
            + self.log.read_text(errors="replace")[-6000:]
        )
        return self.timings


# --------------------------------------------------------------------------------------------
# What differs between two warehouses (the message of a failed comparison)
# --------------------------------------------------------------------------------------------


def warehouse_rows(path: Path, table: str, drop: frozenset[str]) -> list[str]:
    """The rows of ``schema.table`` as the digest sees them (canonical JSON lines, sorted)."""
    import duckdb

    from tests.harness import _canonical

    schema, name = table.split(".", 1)
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = con.execute(
            "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
            "order by column_index",
            [schema, name],
        ).fetchall()
        keep = [r[0] for r in found if r[0] not in drop]
        if not keep:
            return []
        cols = ", ".join(f'"{c}"' for c in keep)
        rows = con.execute(f'select {cols} from "{schema}"."{name}"').fetchall()
    finally:
        con.close()
    return sorted(
        json.dumps(dict(zip(keep, map(_canonical, r), strict=True)), sort_keys=True, default=str)
        for r in rows
    )


def warehouse_diff(
    mine: Path, theirs: Path, tables: list[str], drop: frozenset[str], sample: int = 3
) -> str:
    """Per differing table: row counts, rows on one side only (a few), as a readable report."""
    out = []
    for table in tables:
        a, b = warehouse_rows(mine, table, drop), warehouse_rows(theirs, table, drop)
        only_a = sorted(set(a) - set(b))
        only_b = sorted(set(b) - set(a))
        out.append(
            f"{table}: {len(a)} rows vs {len(b)}; {len(only_a)} only on the stack, "
            f"{len(only_b)} only on the make run path"
        )
        out += [f"  stack:    {row[:600]}" for row in only_a[:sample]]
        out += [f"  make run: {row[:600]}" for row in only_b[:sample]]
    return "\n".join(out)


def lineage_differences(
    mine: Path, theirs: Path, table: str, drop: frozenset[str], column: str
) -> list[tuple[int, str, str]]:
    """(work_id, my value, their value) of ``column`` for the rows of ``table`` equal in every
    other column (each such row is one record: its id is among them) but that one."""
    keyed = []
    for path in (mine, theirs):
        rows = {}
        for line in warehouse_rows(path, table, drop):
            row = json.loads(line)
            value = row.pop(column)
            rows[json.dumps(row, sort_keys=True)] = (row["work_id"], value)
        keyed.append(rows)
    a, b = keyed
    assert set(a) == set(b), f"{table}: rows differ in more than {column}"
    return [(a[k][0], str(a[k][1]), str(b[k][1])) for k in sorted(a) if a[k][1] != b[k][1]]


def last_read(lake: Path) -> dict[int, str]:
    """work_id → the day of the raw Consonance works partition holding it that was extracted
    last (by its rows' ``_extracted_at``; the later day on a tie), read from the Parquet files."""
    import pyarrow.parquet as pq

    latest: dict[int, tuple[Any, str]] = {}
    for d in sorted((lake / "raw" / "consonance" / "works").glob("extracted_on=*")):
        day = d.name.split("=", 1)[1]
        table = pq.read_table(d / "data.parquet", columns=["work_id", "_extracted_at"])
        for row in table.to_pylist():
            seen = (row["_extracted_at"], day)
            if row["work_id"] not in latest or seen > latest[row["work_id"]]:
                latest[row["work_id"]] = seen
    return {work_id: day for work_id, (_, day) in latest.items()}
