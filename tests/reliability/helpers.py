"""Helpers of the reliability suite: steps in subprocesses, content hashes, remote states, write logs."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from tests.e2e.harness import ROOT, Emulators
from titlevideo.failpoints import ENV as FAILPOINT_ENV

DRIVER = str(Path(__file__).with_name("driver.py"))

#: Columns whose values are wall-clock times of the run that produced them (when a record was
#: extracted, when a build finished): equal content never has equal values there.
WALL_CLOCK_COLUMNS = frozenset({"_extracted_at", "observed_at", "extracted_at"})


# --------------------------------------------------------------------------------------------
# Steps in subprocesses
# --------------------------------------------------------------------------------------------


def step_env(emulators: Emulators, lake_root: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, **emulators.connection_env(), "LAKE_ROOT": str(lake_root), **extra}
    env.pop(FAILPOINT_ENV, None)
    env["PYTHONPATH"] = str(ROOT)
    return env


def run_step(
    step: str, day: date, env: dict[str, str], *, failpoint: str | None = None, run_id: str = "run"
) -> subprocess.CompletedProcess[str]:
    """Run one step; with a failpoint it must die by SIGKILL there, without one it must succeed."""
    env = dict(env)
    if failpoint:
        env[FAILPOINT_ENV] = failpoint
    proc = subprocess.run(
        [sys.executable, DRIVER, step, day.isoformat(), run_id],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if failpoint:
        assert proc.returncode == -signal.SIGKILL, (
            f"{step} with {failpoint} did not die at the failpoint (rc {proc.returncode}):\n"
            + proc.stderr[-4000:]
        )
        assert (
            f"failpoint {failpoint if '@' in failpoint else failpoint + '@1'}: SIGKILL"
            in proc.stderr
        )
    else:
        assert proc.returncode == 0, f"{step} failed (rc {proc.returncode}):\n{proc.stderr[-6000:]}"
    return proc


def copy_lake(src: Path, dst: Path) -> Path:
    """A copy of a lake with file times kept (the incremental build compares sizes and mtimes)."""
    shutil.copytree(src, dst, copy_function=shutil.copy2)
    return dst


# --------------------------------------------------------------------------------------------
# Content hashes
# --------------------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, float):
        # 12 significant digits: DuckDB sums doubles in parallel, in no fixed order, so equal
        # inputs may differ in the last bits of a float aggregate
        return f"{value:.12g}"
    return value


def table_digest(
    rows: list[tuple[Any, ...]], columns: list[str], rename: dict[str, str] | None = None
) -> str:
    lines = sorted(
        _renamed(
            json.dumps(
                dict(zip(columns, map(_canonical, r), strict=True)), sort_keys=True, default=str
            ),
            rename,
        )
        for r in rows
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _renamed(text: str, rename: dict[str, str] | None) -> str:
    if not rename:
        return text
    return _ID.sub(lambda m: rename.get(m.group(0), m.group(0)), text)


_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def raw_digest(
    raw_root: Path,
    drop: frozenset[str] = WALL_CLOCK_COLUMNS,
    rename: dict[str, str] | None = None,
) -> dict[str, str]:
    """Like ``lake_digest`` (content hash per raw partition), with more columns left out and
    ids renamed (e.g. a remote system's random ids → stable names)."""
    out = {}
    for path in sorted(raw_root.glob("*/*/*=*/data.parquet")):
        table = pq.read_table(path)
        keep = [c for c in table.column_names if c not in drop]
        rows = [tuple(r.values()) for r in table.select(keep).to_pylist()]
        out[str(path.relative_to(raw_root))] = table_digest(rows, keep, rename)
    return out


def warehouse_digest(
    path: Path, drop: frozenset[str] = WALL_CLOCK_COLUMNS, rename: dict[str, str] | None = None
) -> dict[str, tuple[int, str]]:
    """(rows, content hash) of every table outside ``meta`` (build metadata), rows sorted,
    without the wall-clock columns; keyed by ``schema.table``."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        relations = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name <> 'meta' "
            "order by 1, 2"
        ).fetchall()
        out = {}
        for schema, table in relations:
            names = [
                r[0]
                for r in con.execute(
                    "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
                    "order by column_index",
                    [schema, table],
                ).fetchall()
            ]
            keep = [c for c in names if c not in drop]
            cols = ", ".join(f'"{c}"' for c in keep)
            rows = con.execute(f'select {cols} from "{schema}"."{table}"').fetchall()
            out[f"{schema}.{table}"] = (len(rows), table_digest(rows, keep, rename))
        return out
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# The remote systems, read as a person would (faults off)
# --------------------------------------------------------------------------------------------


def bytenite_state(e: Emulators) -> dict[str, Any]:
    """Assets (status, metadata), placements by (asset, channel) and jobs (labels, state class)."""
    assets = {
        a["id"]: (a["publishingStatus"], json.dumps(a.get("metadata"), sort_keys=True))
        for a in e.bytenite_list("/v1/customer/assets")
    }
    placements = Counter(
        (
            p["assetId"],
            p["channel"],
            p["state"],
            tuple(sorted(p["regions"]["whitelist"])),
            tuple(sorted(p["regions"]["blacklist"])),
        )
        for p in e.bytenite_list("/v1/customer/placements")
    )
    jobs = {
        j["id"]: (json.dumps(j.get("labels"), sort_keys=True), j["state"] != "JOB_STATE_NEW")
        for j in e.bytenite_list("/v1/customer/jobs")
    }
    return {"assets": assets, "placements": placements, "jobs": jobs}


def consonance_state(e: Emulators) -> dict[str, Counter[tuple[Any, ...]]]:
    """Every web link (product, link, role, description) and internal text (work, text), counted."""
    links: Counter[tuple[Any, ...]] = Counter()
    texts: Counter[tuple[Any, ...]] = Counter()
    after = None
    while True:
        page = e.graphql(
            "query($s: WorkSearchAttributes){ works(workSearch: $s) { id marketingTexts "
            "{ internalTextMarkdown } products { id webLinks { link role description } } } }",
            {"s": {"after": after} if after else {}},
        )["works"]
        if not page:
            return {"links": links, "texts": texts}
        for w in page:
            for t in w["marketingTexts"]:
                if t["internalTextMarkdown"]:
                    texts[(w["id"], t["internalTextMarkdown"])] += 1
            for p in w["products"]:
                for wl in p["webLinks"]:
                    links[(p["id"], wl["link"], wl["role"], wl["description"])] += 1
        after = page[-1]["id"]


def ok_writes(e: Emulators, system: str) -> Counter[tuple[str, str, str]]:
    """Accepted write calls as (operation, target, payload), counted: a count above 1 is a write
    applied twice. ByteNite placement ids are random per world, so a placement is named by its
    asset and channel instead."""
    names: dict[str, str] = {}
    if system == "bytenite":
        names = {
            p["id"]: f"{p['assetId']}|{p['channel']}"
            for p in e.bytenite_list("/v1/customer/placements")
        }
    out: Counter[tuple[str, str, str]] = Counter()
    for w in e.writes(system):
        if w["outcome"] != "ok":
            continue
        target = dict(w["target"]) if isinstance(w["target"], dict) else w["target"]
        if isinstance(target, dict) and "placementId" in target:
            target["placementId"] = names[target["placementId"]]
        out[
            (
                w["operation"],
                json.dumps(target, sort_keys=True),
                json.dumps(w["payload"], sort_keys=True),
            )
        ] += 1
    return out


def repeated(writes: Counter[Any]) -> dict[Any, int]:
    return {k: n for k, n in writes.items() if n > 1}


def sync_state(lake_root: Path) -> dict[tuple[str, str], tuple[str | None, str]]:
    """(target, key) → (payload hash, status) of the durable sync state."""
    import sqlite3

    con = sqlite3.connect(lake_root / "state" / "sync.sqlite")
    try:
        return {
            (t, k): (h, s)
            for t, k, h, s in con.execute(
                "select target, key, payload_hash, status from sync_state"
            )
        }
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------------


class KeyedEmulators(Emulators):
    """Both emulators accepting only the given API keys (random ones, so a leak cannot be a
    coincidence), with the harness's helpers using them."""

    def __init__(self, *, consonance_key: str, bytenite_key: str, **kw: Any):
        from emulators.bytenite import create_app as bytenite_app
        from emulators.common import ServerThread
        from emulators.consonance import create_app as consonance_app

        self.seed, self.works = kw["seed"], kw["works"]
        self.consonance_key, self.bytenite_key = consonance_key, bytenite_key
        self.consonance_state, capp = consonance_app(api_keys=(consonance_key,), **kw)
        self.bytenite_state, bapp = bytenite_app(api_keys=(bytenite_key,), **kw)
        self.consonance = ServerThread(capp).start()
        self.bytenite = ServerThread(bapp).start()

    def connection_env(self) -> dict[str, str]:
        from titlevideo.connections import connection_json

        return {
            "AIRFLOW_CONN_CONSONANCE_DEFAULT": connection_json(
                self.consonance.url, self.consonance_key, writes_per_second=500
            ),
            "AIRFLOW_CONN_BYTENITE_DEFAULT": connection_json(
                self.bytenite.url, self.bytenite_key, writes_per_second=500
            ),
        }

    def bytenite_token(self) -> str:
        import requests

        r = requests.post(
            self.bytenite.url + "/v1/auth/access_token",
            json={"apiKey": self.bytenite_key},
            timeout=10,
        )
        return r.json()["token"]

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        import requests

        r = requests.post(
            self.consonance.url + "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.consonance_key}"},
            timeout=60,
        )
        body = r.json()
        assert not body.get("errors"), body.get("errors")
        return body["data"]


def _text(value: Any) -> Any:
    if isinstance(value, bytes):  # BLOBs: Airflow keeps some compressed (zlib)
        import zlib

        with contextlib.suppress(zlib.error):
            value = zlib.decompress(value)
        return value.decode("latin-1")
    return value


def _cells(rows: Any) -> str:
    return json.dumps([[_text(v) for v in r] for r in rows], default=str)


def secret_hits(roots: list[Path], secrets: list[str]) -> list[tuple[str, str]]:
    """Where any of ``secrets`` occurs under ``roots``: the raw bytes of every file, and the
    decoded contents of files that compress or page their data (Parquet, DuckDB, SQLite), so a
    secret inside a compressed column is found too. Returns (path, how) pairs."""
    import sqlite3

    needles = [s.encode() for s in secrets]
    hits: list[tuple[str, str]] = []

    def look(text: str | bytes, path: Path, how: str) -> None:
        data = text.encode() if isinstance(text, str) else text
        if any(n in data for n in needles):
            hits.append((str(path), how))

    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            look(path.read_bytes(), path, "bytes")
            if path.suffix == ".parquet":
                table = pq.read_table(path)
                look(_cells(table.to_pylist()) if table.num_rows else "", path, "parquet values")
            elif path.suffix == ".duckdb" and ".build-" not in path.name:
                con = duckdb.connect(str(path), read_only=True)
                try:
                    for schema, name in con.execute(
                        "select schema_name, table_name from duckdb_tables()"
                    ).fetchall():
                        rows = con.execute(f'select * from "{schema}"."{name}"').fetchall()
                        look(_cells(rows), path, f"duckdb {schema}.{name}")
                finally:
                    con.close()
            elif path.suffix in (".sqlite", ".db") and path.read_bytes()[:6] == b"SQLite":
                con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                try:
                    for (name,) in con.execute(
                        "select name from sqlite_master where type = 'table'"
                    ).fetchall():
                        rows = con.execute(f'select * from "{name}"').fetchall()
                        look(_cells(rows), path, f"sqlite {name}")
                finally:
                    con.close()
    return hits
