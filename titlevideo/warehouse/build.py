"""Build the DuckDB warehouse: dbt into a new file, the GX suites, then one rename.

The sequence (one writer at a time — the Airflow pool ``duckdb_writer`` and a lock file here):

1. take ``warehouse/.build.lock`` (``flock``: released by the kernel if the process dies);
2. parse the dbt project (``include/sql``; dbt reuses its partial-parse file when nothing
   changed), list the raw lake (the manifest) and decide full or incremental (see below); an
   incremental build starts from a copy of the previous warehouse with every table dropped but
   the incremental ones;
3. in the new file ``warehouse/.analytics.duckdb.build-new`` (storage format
   :data:`STORAGE_VERSION`): the business-rules tables (schema ``ref``), a view per raw entity
   (schema ``raw``, the dbt sources) and ``meta.reloaded_dates``;
4. ``dbt build`` in-process (:mod:`titlevideo.warehouse.dbt`): seeds, models layer by layer and
   every data test after its model; a failing model or test stops the build. Each model's and
   test's status and time is logged as it finishes;
5. every table and column has its comment (dbt ``persist_docs``); the GX mart suites run on the
   new file (GX itself in a worker process started with step 1, which imports GX while dbt builds:
   :mod:`titlevideo.quality.worker`); a failing suite stops the build;
6. ``meta``: the manifest, dbt's run results (model runs, model tests), model fingerprints;
7. ``dbt docs generate --static`` (while the raw views exist, so the sources are in the
   catalogue); drop the raw views, checkpoint, close, and ``os.replace`` the new file over
   ``warehouse/analytics.duckdb``; then the catalogue is published at
   ``<LAKE_ROOT>/reports/catalogue/index.html`` (:mod:`titlevideo.warehouse.catalogue`).

Readers never see a half build: until step 7 the stable path is the previous complete file, and a
reader that opened it keeps its (unlinked) snapshot until it reconnects. Any failure removes the
temp file and leaves the previous warehouse untouched.

**Incremental facts.** ``fct_video_daily`` is a dbt incremental model (``delete+insert`` on
``metric_date``) fed by one raw entity (``daily_metrics``, one complete partition per metric date).
A normal build starts from a copy of the previous warehouse file, where the table is kept as
stored; the raw view of ``daily_metrics`` holds only the metric dates whose partition files were
added, changed (size or mtime) or removed since the manifest stored in that warehouse; dbt
replaces those dates (the model's pre-hook also deletes the removed ones) — a date is replaced,
never appended — and the post-hook brings the carried-over rows' matched work id up to date.
The fact's per-asset daily sums over countries (``int_video_asset_channel_daily``) are an
incremental model chained to it: the same dates are reloaded there
(:func:`titlevideo.warehouse.graph.incremental_drivers`), and the marts roll them up.
Every other model is rebuilt. A missing or unreadable previous warehouse (or one in another
storage format), a changed model fingerprint (the SQL or config of the model or anything
upstream, or a project macro), or ``full_rebuild=True`` rebuilds everything from the lake in a
new file; both paths give identical tables.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import logging
import os
import shutil
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from titlevideo.config import SQL_ROOT, Lake, Rules, load_rules
from titlevideo.failpoints import failpoint
from titlevideo.schemas import ENTITIES, Entity
from titlevideo.warehouse import catalogue, graph, meta, raw
from titlevideo.warehouse import rules as rules_tables
from titlevideo.warehouse.dbt import DbtProject
from titlevideo.warehouse.meta import ModelBuildError, ModelRun, ModelTestFailure, TestResult
from titlevideo.warehouse.sqltext import ModelError, ident

__all__ = [
    "BuildLocked",
    "BuildResult",
    "ModelBuildError",
    "ModelError",
    "ModelTestFailure",
    "build_warehouse",
]

log = logging.getLogger(__name__)

#: On-disk format of the warehouse. DuckDB 2.0 writes a new storage format by default that every
#: 1.x client refuses ("version number 999 ... can only read versions between 64 and 68"); asked
#: for an older one (connect config ``storage_compatibility_version``, the same as ATTACH ...
#: (STORAGE_VERSION ...)) it writes that instead. v1.4.0 is the oldest that all of DuckDB 1.4 LTS,
#: 1.5 and 2.x open — checked with the Python clients 1.4.5, 1.5.6 and 2.0.1 on a built warehouse
#: (tables, comments, the allows_country macro). Measured on 5M fact rows: same file size and
#: query speed as the 2.0 format. 1.4 LTS left community support on 2026-11-17: move to "v1.5.0"
#: once no analyst tool (JDBC/DBeaver, CLI, Python) is on 1.4; the 2.0 format when all are on 2.x.
STORAGE_VERSION = "v1.4.0"
#: The storage-format number DuckDB writes in the file header for STORAGE_VERSION (1.4 reads 64..67).
STORAGE_HEADER_NUMBER = 67
TEMP_PREFIX = ".analytics.duckdb.build-"
#: The new file of a build: one name (we hold the lock), so dbt's profile and parse stay the same.
TEMP_NAME = f"{TEMP_PREFIX}new"
#: dbt's working folder under the warehouse folder: profile, artifacts, partial parse, log.
DBT_DIR = "dbt"
LOCK_NAME = ".build.lock"

#: ``validate(con, lake, fact_dates)``: ``fact_dates`` are the metric dates this build loaded
#: (None on a full build: all of them); carried-over dates were validated by earlier builds.
Validator = Callable[[duckdb.DuckDBPyConnection, Lake, tuple[date, ...] | None], dict[str, Any]]


class BuildLocked(RuntimeError):
    """Another process is building the warehouse."""


@dataclass(frozen=True)
class Plan:
    mode: str  # full | incremental
    reason: str
    reload_dates: dict[str, tuple[date, ...]] = field(
        default_factory=dict
    )  # incremental model → dates


@dataclass
class BuildResult:
    path: Path
    day: date | None
    plan: Plan
    models: list[ModelRun]
    tests: list[TestResult]
    quality: dict[str, Any]
    seconds: float
    #: wall seconds of the build's steps: dbt_parse, dbt_build, dbt_docs, quality, ...
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Small, JSON-able: what the DAG returns (XCom) and logs."""
        rows = {m.name: m.rows for m in self.models if m.layer == "marts" and m.rows is not None}
        return {
            "date": self.day.isoformat() if self.day else None,
            "mode": self.plan.mode,
            "reason": self.plan.reason,
            "models": len(self.models),
            "rows": rows,
            "tests": len(self.tests),
            "tests_passed": sum(t.passed for t in self.tests),
            "slowest_models": {
                m.name: round(m.seconds, 2)
                for m in sorted(self.models, key=lambda m: -m.seconds)[:5]
                if m.materialized != "ephemeral"
            },
            "suites_passed": int(self.quality.get("suites_passed", 0)),
            "reloaded_dates": {k: len(v) for k, v in self.plan.reload_dates.items()},
            "seconds": round(self.seconds, 2),
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
        }


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def build_warehouse(
    lake: Lake,
    *,
    day: date | None = None,
    full_rebuild: bool | str = False,
    rules: Rules | None = None,
    sql_root: Path | None = None,
    validate: Validator | None | str = "default",
    lock_timeout: float = 0.0,
) -> BuildResult:
    """Build the warehouse from the lake and swap it in; see the module docstring.

    ``validate`` is called with the open new warehouse before the swap; by default it runs the GX
    mart suites (:func:`titlevideo.quality.validate_marts`) and raises if one fails.
    """
    rules = rules or load_rules()
    sql_root = sql_root or SQL_ROOT
    started = time.perf_counter()
    lake.warehouse_dir.mkdir(parents=True, exist_ok=True)
    validator: Validator | None = None if isinstance(validate, str) else validate
    with contextlib.ExitStack() as stack:
        stack.enter_context(_build_lock(lake.warehouse_dir / LOCK_NAME, lock_timeout))
        if isinstance(validate, str):
            # GX imports in its own process while dbt builds (titlevideo.quality.worker)
            from titlevideo.quality import validate_marts
            from titlevideo.quality.worker import GxWorker

            worker = GxWorker()
            stack.callback(worker.close)
            validator = functools.partial(validate_marts, worker=worker)
        _remove_stale_builds(lake.warehouse_dir)
        failpoint("warehouse.build.after_lock")
        if lake.warehouse.exists() and not full_rebuild:  # an older model version: in full
            full_rebuild = (
                meta.rebuild_reason(lake.warehouse, meta.project_version(sql_root)) or False
            )
        tmp = lake.warehouse_dir / TEMP_NAME
        try:
            timings: dict[str, float] = {}
            plan, runs, tests, quality = _build_into(
                tmp, lake, day, full_rebuild, rules, sql_root, validator, timings
            )
            _swap(tmp, lake.warehouse)
            catalogue.publish(lake.warehouse_dir / DBT_DIR, lake.reports)
        except BaseException:
            _remove_db(tmp)
            raise
    result = BuildResult(
        lake.warehouse, day, plan, runs, tests, quality, time.perf_counter() - started, timings
    )
    log.info("warehouse built: %s", result.summary())
    return result


# --------------------------------------------------------------------------------------------
# Lock, temp files, swap
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _build_lock(path: Path, timeout: float) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + max(0.0, timeout)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise BuildLocked(
                        f"another warehouse build holds {path}; only one writer at a time"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} since {datetime.now(UTC).isoformat()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _remove_db(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _remove_stale_builds(directory: Path) -> None:
    """Temp files of builds that died; safe because we hold the lock."""
    for stale in directory.glob(f"{TEMP_PREFIX}*"):
        log.warning("removing %s left by an interrupted build", stale.name)
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def _swap(tmp: Path, target: Path) -> None:
    tmp_wal = tmp.with_name(tmp.name + ".wal")
    if tmp_wal.exists():
        raise RuntimeError(
            f"{tmp_wal} exists after checkpoint and close; refusing to swap a file with a pending WAL"
        )
    stale_wal = target.with_name(target.name + ".wal")
    if stale_wal.exists():
        # Only a read-write open of the stable path leaves one (never this build); replayed onto
        # the new file it would corrupt it.
        log.warning(
            "removing %s: the warehouse is never opened read-write at its stable path", stale_wal
        )
        stale_wal.unlink()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    failpoint("warehouse.swap.before_replace")
    os.replace(tmp, target)
    failpoint("warehouse.swap.after_replace")
    with contextlib.suppress(OSError):
        dfd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def storage_header_number(path: Path) -> int:
    """The storage-format number in a DuckDB file header (what a 1.x client checks on open)."""
    with open(path, "rb") as fh:
        magic, number = struct.Struct("<8x4sQ").unpack(fh.read(20))
    if magic != b"DUCK":
        raise ValueError(f"{path} is not a DuckDB file")
    return int(number)


# --------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------


def _build_into(
    tmp: Path,
    lake: Lake,
    day: date | None,
    full_rebuild: bool | str,
    rules: Rules,
    sql_root: Path,
    validate: Validator | None,
    timings: dict[str, float],
) -> tuple[Plan, list[ModelRun], list[TestResult], dict[str, Any]]:
    project = DbtProject(sql_root, lake.warehouse_dir / DBT_DIR, STORAGE_VERSION)
    started = time.perf_counter()
    manifest = project.parse(tmp)
    timings["dbt_parse"] = time.perf_counter() - started
    log.info("dbt parse: %.2fs", timings["dbt_parse"])
    drivers = graph.incremental_drivers(manifest)
    fingerprints = graph.fingerprints(manifest)
    schemas = {n.name: n.schema for n in graph.models(manifest).values()}
    listing = raw.scan_lake(lake.raw)

    con = _connect(tmp)
    try:
        plan = _plan(con, lake, drivers, fingerprints, schemas, listing, full_rebuild)
        log.info(
            "build plan: %s (%s); reload %s",
            plan.mode,
            plan.reason,
            {k: [d.isoformat() for d in v] for k, v in plan.reload_dates.items()},
        )
        if plan.mode == "incremental":
            # Start from a copy of the previous file (we hold the lock: no build replaces it
            # meanwhile): the incremental tables' carried-over partitions are then kept as they
            # are stored instead of being decompressed and compressed again (a season's fact
            # table: ~1 s to copy the file instead of ~15 s to copy the table).
            con.execute("detach prev")
            con.close()
            _remove_db(tmp)
            shutil.copyfile(lake.warehouse, tmp)
            con = _connect(tmp)
            _drop_rebuilt(con, {f"{ident(schemas[n])}.{ident(n)}" for n in plan.reload_dates})
        rules_tables.load(con, rules, manifest)
        restricted = {drivers[m].name: set(dates) for m, dates in plan.reload_dates.items()}
        reloaded: list[date] = []
        for key, entity in ENTITIES.items():
            files = listing[key]
            if entity.name in restricted and plan.mode == "incremental":
                files = [f for f in files if f.partition_value in restricted[entity.name]]
                reloaded = sorted(restricted[entity.name])  # incl. dates whose partition is gone
            elif entity in drivers.values():
                reloaded = sorted({f.partition_value for f in files})
            raw.register(con, lake.raw, entity, files)
        meta.create_reloaded_dates(con, reloaded)
        con.execute("checkpoint")
    finally:
        con.close()

    timings["prepare"] = time.perf_counter() - started - timings["dbt_parse"]
    mark = time.perf_counter()
    runs, tests = _run_dbt(project, tmp, manifest, plan.mode)
    timings["dbt_build"] = time.perf_counter() - mark
    mark = time.perf_counter()
    catalogue.generate(project, tmp, manifest)
    timings["dbt_docs"] = time.perf_counter() - mark

    con = _connect(tmp)
    try:
        for i, run in enumerate(runs):
            if run.materialized != "ephemeral":
                n = con.execute(
                    f"select count(*) from {ident(run.layer)}.{ident(run.name)}"
                ).fetchone()
                runs[i] = ModelRun(
                    run.name,
                    run.layer,
                    run.materialized,
                    run.mode,
                    int(n[0]) if n else 0,
                    run.seconds,
                    run.status,
                )
        _check_documented(con, manifest)
        failpoint("warehouse.build.before_quality")
        quality: dict[str, Any] = {}
        if validate is not None:
            mark = time.perf_counter()
            fact_dates = tuple(reloaded) if plan.mode == "incremental" else None
            quality = validate(con, lake, fact_dates) or {}
            timings["quality"] = time.perf_counter() - mark
        failpoint("warehouse.build.before_meta")
        meta.write(
            con,
            day=day,
            mode=plan.mode,
            reason=plan.reason,
            reloaded=reloaded,
            manifest=listing,
            fingerprints=fingerprints,
            runs=runs,
            tests=tests,
            quality=quality,
            storage_version=STORAGE_VERSION,
            model_version=meta.project_version(sql_root),
        )
        raw.drop_views(con)
        con.execute("checkpoint")
    finally:
        con.close()
    return plan, runs, tests, quality


def _run_dbt(
    project: DbtProject, tmp: Path, manifest: Any, mode: str
) -> tuple[list[ModelRun], list[TestResult]]:
    """``dbt build`` on the new file; logs each node as it finishes; raises on any failure."""

    def on_event(event: Any) -> None:
        if event.info.name != "NodeFinished":
            return
        node = event.data.node_info
        result = event.data.run_result
        kind = node.resource_type
        log.info(
            "dbt %-5s %-62s %-8s %6.2fs%s",
            kind,
            node.node_name,
            result.status or node.node_status,
            result.execution_time,
            f"  failures={result.num_failures}" if kind == "test" and result.num_failures else "",
        )
        if kind == "model":
            parts = node.node_path.split("/")
            failpoint(f"warehouse.build.model.{parts[0] if len(parts) > 1 else 'models'}")

    started = time.perf_counter()
    res = project.invoke(["build"], tmp, manifest=manifest, callbacks=[on_event])
    runs, tests = meta.results(manifest, res.result, mode)
    log.info(
        "dbt build: %d models, %d tests (%d passed) in %.2fs",
        sum(r.status != "ephemeral" for r in runs),
        len(tests),
        sum(t.passed for t in tests),
        time.perf_counter() - started,
    )
    failed = [t for t in tests if not t.passed and t.status != "skipped"]
    if failed:
        raise ModelTestFailure(failed)
    problems = meta.errors(res.result)
    if problems or not res.success:
        raise ModelBuildError("dbt build failed:\n  " + "\n  ".join(problems or ["(no message)"]))
    return runs, tests


def _check_documented(con: duckdb.DuckDBPyConnection, manifest: Any) -> None:
    """Every column of every model table is documented in its .yml, and only those."""
    problems = []
    for node in graph.models(manifest).values():
        if node.config.materialized == "ephemeral":
            continue
        schema = node.schema
        actual = [
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
                "order by column_index",
                [schema, node.alias],
            ).fetchall()
        ]
        declared = {c for c, spec in node.columns.items() if spec.description}
        missing = [c for c in actual if c not in declared]
        unknown = [c for c in node.columns if c not in actual]
        if missing or unknown or not node.description:
            problems.append(
                f"{node.original_file_path}: columns without a description {missing}; "
                f"described but not produced {unknown}"
                + ("; no model description" if not node.description else "")
            )
    if problems:
        raise ModelError("undocumented models:\n  " + "\n  ".join(problems))


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(
        os.fspath(path), config={"storage_compatibility_version": STORAGE_VERSION}
    )


def _drop_rebuilt(con: duckdb.DuckDBPyConnection, keep: set[str]) -> None:
    """In a copy of the previous warehouse, drop every table, view and macro except ``keep`` (the
    incremental models' tables, as ``schema.name`` quoted): every other model, the seeds and
    ``meta`` are rebuilt, and a table whose model was removed must not survive."""
    current = con.execute("select current_database()").fetchone()
    db = current[0] if current else "analytics"
    objects = con.execute(
        """
        select 'table', schema_name, table_name from duckdb_tables()
        where database_name = ? and not temporary and not internal
        union all
        select 'view', schema_name, view_name from duckdb_views()
        where database_name = ? and not temporary and not internal
        """,
        [db, db],
    ).fetchall()
    for kind, schema, name in objects:
        qualified = f"{ident(schema)}.{ident(name)}"
        if qualified not in keep:
            con.execute(f"drop {kind} {qualified}")


# --------------------------------------------------------------------------------------------
# Planning: full or incremental
# --------------------------------------------------------------------------------------------


def _plan(
    con: duckdb.DuckDBPyConnection,
    lake: Lake,
    drivers: dict[str, Entity],
    fingerprints: dict[str, str],
    schemas: dict[str, str],
    listing: dict[tuple[str, str], list[raw.PartitionFile]],
    full_rebuild: bool | str,
) -> Plan:
    if not drivers:
        return Plan("full", "no incremental models")
    if full_rebuild:
        return Plan(
            "full", full_rebuild if isinstance(full_rebuild, str) else "full rebuild requested"
        )
    if not lake.warehouse.exists():
        return Plan("full", "no previous warehouse")
    try:
        header = storage_header_number(lake.warehouse)
    except (OSError, ValueError, struct.error) as exc:
        log.warning("previous warehouse cannot be read (%s); rebuilding in full", exc)
        return Plan("full", "previous warehouse unreadable")
    if header != STORAGE_HEADER_NUMBER:
        # an incremental build starts from a copy of the previous file: it must have our format
        return Plan("full", f"previous warehouse is in storage format {header}")
    try:
        con.execute("attach ? as prev (read_only)", [os.fspath(lake.warehouse)])
    except duckdb.Error as exc:
        log.warning("previous warehouse cannot be opened (%s); rebuilding in full", exc)
        return Plan("full", "previous warehouse unreadable")
    try:
        try:
            prev_files = con.execute(
                "select path, source, entity, partition_value, size_bytes, mtime_ns from prev.meta.raw_partitions"
            ).fetchall()
            prev_state = dict(
                con.execute("select model, fingerprint from prev.meta.model_state").fetchall()
            )
            prev_tables = {
                (s, t)
                for s, t in con.execute(
                    "select schema_name, table_name from duckdb_tables() where database_name = 'prev'"
                ).fetchall()
            }
        except duckdb.Error as exc:
            log.warning("previous warehouse has no usable manifest (%s); rebuilding in full", exc)
            con.execute("detach prev")
            return Plan("full", "previous warehouse has no manifest")
        reload: dict[str, tuple[date, ...]] = {}
        for name, entity in drivers.items():
            if prev_state.get(name) != fingerprints[name]:
                con.execute("detach prev")
                return Plan("full", f"{name} or a model upstream of it changed")
            if (schemas[name], name) not in prev_tables:
                con.execute("detach prev")
                return Plan("full", f"previous warehouse has no {name}")
            before: dict[date, set[tuple[str, int, int]]] = {}
            for path, source, ent, value, size, mtime in prev_files:
                if (source, ent) == (entity.source, entity.name):
                    before.setdefault(value, set()).add((path, size, mtime))
            now: dict[date, set[tuple[str, int, int]]] = {}
            for f in listing[(entity.source, entity.name)]:
                now.setdefault(f.partition_value, set()).add((f.path, f.size_bytes, f.mtime_ns))
            changed = sorted(d for d in set(before) | set(now) if before.get(d) != now.get(d))
            reload[name] = tuple(changed)
        return Plan("incremental", "previous warehouse and manifest found", reload)
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("detach prev")
        raise
