"""The one test harness of the e2e, reliability and deploy tiers (imported by their conftests and
tests).

* Both emulators of one world in-process over real HTTP (:class:`Emulators`, with the default API
  keys or their own), a private Airflow (SQLite) and lake, and the DAGs run for real with
  ``airflow dags test`` in a subprocess (:class:`Pipeline`).
* The reliability suite's steps in subprocesses (:func:`run_step`, through
  ``tests/reliability/driver.py``), content digests of the lake and the warehouse, the remote
  states and write logs of both systems, and secret scans.
"""

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
import requests

from emulators.bytenite import DEFAULT_API_KEY as BYTENITE_KEY
from emulators.bytenite import create_app as bytenite_app
from emulators.common import ServerThread
from emulators.consonance import DEFAULT_API_KEY as CONSONANCE_KEY
from emulators.consonance import create_app as consonance_app
from titlevideo.config import Lake
from titlevideo.connections import Endpoint, connection_json
from titlevideo.failpoints import ENV as FAILPOINT_ENV

ROOT = Path(__file__).resolve().parents[1]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
#: Business rules with a one-day history (tests not about the first run's history catch-up).
ONE_DAY_HISTORY = ROOT / "tests" / "fixtures" / "rules" / "one_day_history.yaml"
CYCLE = (
    "consonance_extract",
    "bytenite_extract",
    "warehouse_build",
    "bytenite_sync",
    "consonance_sync",
)


class Emulators:
    """Both emulators of one world, served in this process, each accepting one API key (its
    default, or another given: random ones, so a leak cannot be a coincidence); the harness's
    helpers use them."""

    def __init__(
        self,
        *,
        seed: int,
        works: int,
        today: date,
        faults: str = "none",
        consonance_key: str = CONSONANCE_KEY,
        bytenite_key: str = BYTENITE_KEY,
        **bytenite_options: Any,
    ):
        self.seed, self.works = seed, works
        self.consonance_key, self.bytenite_key = consonance_key, bytenite_key
        self.consonance_state, capp = consonance_app(
            seed=seed, works=works, today=today, faults=faults, api_keys=(consonance_key,)
        )
        self.bytenite_state, bapp = bytenite_app(
            seed=seed,
            works=works,
            today=today,
            faults=faults,
            api_keys=(bytenite_key,),
            **bytenite_options,
        )
        self.consonance = ServerThread(capp).start()
        self.bytenite = ServerThread(bapp).start()

    def stop(self) -> None:
        self.consonance.stop()
        self.bytenite.stop()

    # -- endpoints the pipeline uses ----------------------------------------------------------
    def consonance_endpoint(self, **extra: Any) -> Endpoint:
        return Endpoint(
            "consonance_default",
            self.consonance.url,
            self.consonance_key,
            writes_per_second=extra.get("wps"),
        )

    def bytenite_endpoint(self, **extra: Any) -> Endpoint:
        return Endpoint(
            "bytenite_default",
            self.bytenite.url,
            self.bytenite_key,
            writes_per_second=extra.get("wps"),
        )

    def connection_env(self) -> dict[str, str]:
        return {
            "AIRFLOW_CONN_CONSONANCE_DEFAULT": connection_json(
                self.consonance.url, self.consonance_key, writes_per_second=500
            ),
            "AIRFLOW_CONN_BYTENITE_DEFAULT": connection_json(
                self.bytenite.url, self.bytenite_key, writes_per_second=500
            ),
        }

    # -- admin ----------------------------------------------------------------------------------
    def set_clock(self, today: date) -> None:
        for server in (self.consonance, self.bytenite):
            r = requests.post(
                server.url + "/_emulator/clock", json={"today": today.isoformat()}, timeout=10
            )
            r.raise_for_status()

    def set_faults(
        self,
        profile: str,
        overrides: dict[str, Any] | None = None,
        systems: tuple[str, ...] = ("consonance", "bytenite"),
    ) -> None:
        """Set a fault profile (with ``overrides`` of its settings) on the named emulators."""
        body: dict[str, Any] = {"profile": profile}
        if overrides:
            body["overrides"] = overrides
        for system in systems:
            requests.post(
                self._server(system).url + "/_emulator/faults", json=body, timeout=10
            ).raise_for_status()

    def stats(self, system: str) -> dict[str, int]:
        """Requests an emulator has received and faults it injected, by kind."""
        answer: dict[str, int] = requests.get(
            self._server(system).url + "/_emulator/stats", timeout=10
        ).json()
        return answer

    def _server(self, system: str) -> ServerThread:
        return self.consonance if system == "consonance" else self.bytenite

    def writes(self, system: str, since: int = 0) -> list[dict[str, Any]]:
        return requests.get(
            self._server(system).url + "/_emulator/writes", params={"since": since}, timeout=30
        ).json()

    def consonance_fixtures(self, payload: dict[str, Any]) -> None:
        r = requests.post(self.consonance.url + "/_emulator/fixtures", json=payload, timeout=30)
        assert r.status_code == 200, r.text

    # -- reading them as a user would --------------------------------------------------------------
    def bytenite_token(self) -> str:
        r = requests.post(
            self.bytenite.url + "/v1/auth/access_token",
            json={"apiKey": self.bytenite_key},
            timeout=10,
        )
        return r.json()["token"]

    def bytenite_list(self, path: str, **params: Any) -> list[dict[str, Any]]:
        headers = {"Authorization": self.bytenite_token()}
        out, offset = [], 0
        while True:
            query = {**params, "pagination.limit": 1000, "pagination.offset": offset}
            page = requests.get(
                self.bytenite.url + path, params=query, headers=headers, timeout=60
            ).json()
            out += page["data"]
            if not page["pagination"]["hasNext"]:
                return out
            offset += len(page["data"])

    def bytenite_metrics(self, day: date) -> list[dict[str, Any]]:
        headers = {"Authorization": self.bytenite_token()}
        out, offset = [], 0
        while True:
            body = {
                "dateRange": {"from": day.isoformat(), "to": day.isoformat()},
                "pagination": {"limit": 1000, "offset": offset},
            }
            page = requests.post(
                self.bytenite.url + "/v1/customer/analytics/daily",
                json=body,
                headers=headers,
                timeout=60,
            ).json()
            out += page["data"]
            if not page["pagination"]["hasNext"]:
                return out
            offset += len(page["data"])

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        r = requests.post(
            self.consonance.url + "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.consonance_key}"},
            timeout=60,
        )
        body = r.json()
        assert not body.get("errors"), body.get("errors")
        return body["data"]


class Pipeline:
    """One lake plus the Airflow env that points the DAGs at one pair of emulators."""

    def __init__(
        self,
        base_env: dict[str, str],
        emulators: Emulators,
        lake_root: Path,
        rules: Path = ONE_DAY_HISTORY,
    ):
        """``rules``: the business rules file of the DAG runs; by default one day of history,
        so a first run pulls its own date only (pass the project's file to catch up 90 days)."""
        self.emulators = emulators
        self.lake = Lake(lake_root)
        self.env = {
            **base_env,
            **emulators.connection_env(),
            "LAKE_ROOT": str(lake_root),
            "TITLEVIDEO_RULES": str(rules),
        }

    def dags_test(self, dag_id: str, day: date, **conf: Any) -> subprocess.CompletedProcess[str]:
        conf = {"date": day.isoformat(), **conf}
        proc = subprocess.run(
            [AIRFLOW, "dags", "test", dag_id, day.isoformat(), "--conf", json.dumps(conf)],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        failed = proc.returncode != 0 or "state=failed" in proc.stdout + proc.stderr
        assert not failed, f"{dag_id} failed:\n{(proc.stdout + proc.stderr)[-6000:]}"
        return proc

    def cycle(self, day: date, dags: tuple[str, ...] = CYCLE) -> None:
        for dag_id in dags:
            self.dags_test(dag_id, day)

    def report(self, day: date, dag_id: str) -> dict[str, Any]:
        return json.loads(
            (self.lake.reports / "runs" / day.isoformat() / f"{dag_id}.json").read_text()
        )


# ---- the reliability suite ----------------------------------------------------------------------

DRIVER = str(Path(__file__).parent / "reliability" / "driver.py")

#: Columns whose values are wall-clock times of the run that produced them (when a record was
#: extracted, when a build finished): equal content never has equal values there.
WALL_CLOCK_COLUMNS = frozenset({"_extracted_at", "observed_at", "extracted_at"})
#: columns of ByteNite objects that carry the wall time a write was applied at (two worlds run
#: minutes apart): left out where snapshots taken after a sync are compared
REMOTE_WRITE_TIMES = frozenset(
    {
        "created_at",
        "updated_at",
        "submitted_at",
        "started_at",
        "ended_at",
        "enabled_at",
        "disabled_at",
        "published_at",
    }
)


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
