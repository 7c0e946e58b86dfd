"""Build the DuckDB warehouse: a new file, every model and test, the GX suites, then one rename.

The sequence (one writer at a time — the Airflow pool ``duckdb_writer`` and a lock file here):

1. take ``warehouse/.build.lock`` (``flock``: released by the kernel if the process dies);
2. create ``warehouse/.analytics.duckdb.build-<uuid>`` (storage format :data:`STORAGE_VERSION`),
   list the raw lake (the manifest) and decide full or incremental (see below); an incremental
   build replaces that file by a copy of the previous warehouse and drops every table in it but
   the incremental ones;
3. load ``ref`` (seeds and business rules), expose each raw entity as a typed temp view;
4. run ``include/sql`` layer by layer in dependency order; after each model, its tests; a failing
   test stops the build;
5. record the manifest, model runs and test results in schema ``meta``;
6. run the Great Expectations mart suites on the new file; a failing suite stops the build;
7. checkpoint, close, and ``os.replace`` the new file over ``warehouse/analytics.duckdb``.

Readers never see a half build: until step 7 the stable path is the previous complete file, and a
reader that opened it keeps its (unlinked) snapshot until it reconnects. Any failure removes the
temp file and leaves the previous warehouse untouched.

**Incremental facts.** An ``incremental`` model (``fct_video_daily``) is partitioned by a date
column fed by one raw entity (``daily_metrics``, one complete partition per metric date). A
normal build starts from a copy of the previous warehouse file, keeps that table as stored, deletes
the metric dates whose raw partition files were added, changed (size or mtime) or removed since
the manifest stored in that warehouse, inserts those dates from the lake — a date is replaced,
never appended — and runs the model's ``.refresh.sql`` so columns taken from rebuilt dimensions
(the matched work id) are current. Every other model is rebuilt. A missing or unreadable previous
warehouse (or one in another storage format), a changed model fingerprint (the SQL of the model
or anything upstream), or ``full_rebuild=True`` rebuilds everything from the lake in a new file;
both paths give identical tables.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import struct
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from titlevideo.config import SQL_ROOT, Lake, Rules, load_rules
from titlevideo.failpoints import failpoint
from titlevideo.schemas import ENTITIES, Entity
from titlevideo.warehouse import raw, seeds
from titlevideo.warehouse.checks import (
    ModelTestFailure,
    TestResult,
    compile_tests,
    run_tests,
    table_columns,
)
from titlevideo.warehouse.models import (
    LAYERS,
    Model,
    ModelError,
    comments_sql,
    discover,
    ident,
    insert_rows,
    references,
    select_sql,
    sql_literal,
)

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
LOCK_NAME = ".build.lock"
META = "meta"
MACROS = "marts"

#: ``validate(con, lake, fact_dates)``: ``fact_dates`` are the metric dates this build loaded
#: (None on a full build: all of them); carried-over dates were validated by earlier builds.
Validator = Callable[[duckdb.DuckDBPyConnection, Lake, tuple[date, ...] | None], dict[str, Any]]


class BuildLocked(RuntimeError):
    """Another process is building the warehouse."""


@dataclass(frozen=True)
class ModelRun:
    name: str
    layer: str
    materialized: str
    mode: str  # view | full | incremental
    rows: int | None
    seconds: float


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

    def summary(self) -> dict[str, Any]:
        """Small, JSON-able: what the DAG returns (XCom) and logs."""
        rows = {m.name: m.rows for m in self.models if m.layer == "marts" and m.rows is not None}
        return {
            "date": self.day.isoformat() if self.day else None,
            "mode": self.plan.mode,
            "reason": self.plan.reason,
            "models": len(self.models),
            "rows": rows,
            "tests_passed": sum(t.passed for t in self.tests),
            "suites_passed": int(self.quality.get("suites_passed", 0)),
            "reloaded_dates": {k: len(v) for k, v in self.plan.reload_dates.items()},
            "seconds": round(self.seconds, 2),
        }


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def build_warehouse(
    lake: Lake,
    *,
    day: date | None = None,
    full_rebuild: bool = False,
    rules: Rules | None = None,
    sql_root: Path | None = None,
    validate: Validator | None | str = "default",
    lock_timeout: float = 0.0,
) -> BuildResult:
    """Build the warehouse from the lake and swap it in; see the module docstring.

    ``validate`` is called with the open new warehouse before the swap; by default it runs the GX
    mart suites (:func:`titlevideo.quality.validate_marts`) and raises if one fails.
    """
    if validate == "default":
        from titlevideo.quality import validate_marts

        validate = validate_marts
    rules = rules or load_rules()
    sql_root = sql_root or SQL_ROOT
    started = time.perf_counter()
    lake.warehouse_dir.mkdir(parents=True, exist_ok=True)
    with _build_lock(lake.warehouse_dir / LOCK_NAME, lock_timeout):
        _remove_stale_builds(lake.warehouse_dir)
        failpoint("warehouse.build.after_lock")
        tmp = lake.warehouse_dir / f"{TEMP_PREFIX}{uuid.uuid4().hex}"
        try:
            plan, runs, tests, quality = _build_into(
                tmp, lake, day, full_rebuild, rules, sql_root, validate
            )
            _swap(tmp, lake.warehouse)
        except BaseException:
            _remove_db(tmp)
            raise
    result = BuildResult(
        lake.warehouse, day, plan, runs, tests, quality, time.perf_counter() - started
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
    full_rebuild: bool,
    rules: Rules,
    sql_root: Path,
    validate: Validator | None,
) -> tuple[Plan, list[ModelRun], list[TestResult], dict[str, Any]]:
    ref_tables = seeds.names(sql_root)
    models = discover(sql_root, extra_names=ref_tables)
    by_name = {m.name: m for m in models}
    raw_names = {raw.relation_name(e): e for e in ENTITIES.values()}
    drivers = _incremental_drivers(models, by_name, raw_names)

    con = _connect(tmp)
    try:
        manifest = raw.scan_lake(lake.raw)
        plan = _plan(con, lake, models, drivers, manifest, full_rebuild)
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
            _drop_rebuilt(con, {by_name[name].qualified for name in plan.reload_dates})

        for schema in (*LAYERS, seeds.SCHEMA, META):
            con.execute(f"create schema if not exists {ident(schema)}")
        # Models refer to each other by bare name; temp views (raw, ephemeral) come first.
        path = ",".join([*LAYERS, seeds.SCHEMA])
        con.execute(f"set search_path = {sql_literal(path)}")
        seeds.load(con, rules, sql_root)
        _create_macros(con)

        restricted = {drivers[m].name: set(dates) for m, dates in plan.reload_dates.items()}
        for key, entity in ENTITIES.items():
            files = manifest[key]
            if entity.name in restricted and plan.mode == "incremental":
                files = [f for f in files if f.partition_value in restricted[entity.name]]
            raw.register(con, lake.raw, entity, files)

        runs: list[ModelRun] = []
        results: list[TestResult] = []
        for model in models:
            run = _run_model(con, model, plan)
            runs.append(run)
            if model.persisted:
                _document(con, model)
            started = time.perf_counter()
            reloaded = None
            if run.mode == "incremental":
                reloaded = list(plan.reload_dates[model.name])
            model_results = run_tests(
                con,
                compile_tests(model, table_columns(con, model), by_name, ref_tables, reloaded),
            )
            results.extend(model_results)
            failed = [r for r in model_results if not r.passed]
            log.info(
                "model %-34s %-11s %-11s rows=%-9s %6.2fs  tests %d/%d passed %.2fs",
                model.name,
                model.materialized,
                run.mode,
                "-" if run.rows is None else run.rows,
                run.seconds,
                len(model_results) - len(failed),
                len(model_results),
                time.perf_counter() - started,
            )
            if failed:
                raise ModelTestFailure(failed)
            failpoint(f"warehouse.build.model.{model.layer}")

        quality: dict[str, Any] = {}
        failpoint("warehouse.build.before_quality")
        if validate is not None:
            fact_dates = None
            if plan.mode == "incremental":
                fact_dates = tuple(sorted({d for ds in plan.reload_dates.values() for d in ds}))
            quality = validate(con, lake, fact_dates) or {}
        failpoint("warehouse.build.before_meta")
        _write_meta(con, day, plan, manifest, models, runs, results, quality)
        con.execute("checkpoint")
    finally:
        con.close()
    return plan, runs, results, quality


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(
        os.fspath(path), config={"storage_compatibility_version": STORAGE_VERSION}
    )


def _drop_rebuilt(con: duckdb.DuckDBPyConnection, keep: set[str]) -> None:
    """In a copy of the previous warehouse, drop every table and view except ``keep`` (the
    incremental models' tables, as ``schema.name`` quoted): every other model, the seeds and
    ``meta`` are rebuilt, and a table whose model was removed must not survive."""
    db = con.execute("select current_database()").fetchone()[0]
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


def _incremental_drivers(
    models: list[Model], by_name: dict[str, Model], raw_names: dict[str, Entity]
) -> dict[str, Entity]:
    """For each incremental model, the raw entity whose partitions are its partitions.

    Also refuses a layout where a non-incremental model reads that entity (it would see only the
    dates being reloaded).
    """
    drivers: dict[str, Entity] = {}

    def upstream_raw(name: str, seen: set[str]) -> set[str]:
        model = by_name[name]
        found = references(model, set(raw_names))
        for dep in model.deps:
            if dep in seen or by_name[dep].materialized == "incremental":
                continue  # an incremental model's table is complete: reading it is fine
            seen.add(dep)
            found |= upstream_raw(dep, seen)
        return found

    for model in models:
        if model.materialized != "incremental":
            continue
        feeding = [
            raw_names[r]
            for r in upstream_raw(model.name, set())
            if raw_names[r].partition_key == model.partition_by
        ]
        if len(feeding) != 1:
            raise ModelError(
                f"{model.path}: an incremental model needs exactly one upstream raw entity partitioned by "
                f"{model.partition_by}; found {[e.name for e in feeding]}"
            )
        drivers[model.name] = feeding[0]
    for model in models:
        if model.materialized != "table":
            continue  # ephemeral views are checked through the tables that read them
        for name in upstream_raw(model.name, set()):
            for inc, entity in drivers.items():
                if raw_names[name] == entity:
                    raise ModelError(
                        f"{model.path}: reads raw {entity.name} (through staging) but is not incremental; "
                        f"read {inc} instead — in an incremental build only reloaded dates are visible"
                    )
    return drivers


def _create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """``marts.allows_country``: the per-country rights test on a (whitelist, blacklist) pair."""
    con.execute(
        f"""
        create or replace macro {ident(MACROS)}.allows_country(allows_anywhere, regions_whitelist, regions_blacklist, country) as
            coalesce(allows_anywhere, false)
            and not list_contains(coalesce(regions_blacklist, []), country)
            and (len(coalesce(regions_whitelist, [])) = 0 or list_contains(regions_whitelist, country))
        """
    )


# --------------------------------------------------------------------------------------------
# Planning: full or incremental
# --------------------------------------------------------------------------------------------


def _plan(
    con: duckdb.DuckDBPyConnection,
    lake: Lake,
    models: list[Model],
    drivers: dict[str, Entity],
    manifest: dict[tuple[str, str], list[raw.PartitionFile]],
    full_rebuild: bool,
) -> Plan:
    if not drivers:
        return Plan("full", "no incremental models")
    if full_rebuild:
        return Plan("full", "full rebuild requested")
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
        by_name = {m.name: m for m in models}
        reload: dict[str, tuple[date, ...]] = {}
        for name, entity in drivers.items():
            model = by_name[name]
            if prev_state.get(name) != model.fingerprint:
                con.execute("detach prev")
                return Plan("full", f"{name} or a model upstream of it changed")
            if (model.schema, model.name) not in prev_tables:
                con.execute("detach prev")
                return Plan("full", f"previous warehouse has no {name}")
            before: dict[date, set[tuple[str, int, int]]] = {}
            for path, source, ent, value, size, mtime in prev_files:
                if (source, ent) == (entity.source, entity.name):
                    before.setdefault(value, set()).add((path, size, mtime))
            now: dict[date, set[tuple[str, int, int]]] = {}
            for f in manifest[(entity.source, entity.name)]:
                now.setdefault(f.partition_value, set()).add((f.path, f.size_bytes, f.mtime_ns))
            changed = sorted(d for d in set(before) | set(now) if before.get(d) != now.get(d))
            reload[name] = tuple(changed)
        return Plan("incremental", "previous warehouse and manifest found", reload)
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("detach prev")
        raise


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


def _run_model(con: duckdb.DuckDBPyConnection, model: Model, plan: Plan) -> ModelRun:
    started = time.perf_counter()
    sql = select_sql(model)
    target = model.qualified
    mode = "full"
    if model.materialized == "ephemeral":
        con.execute(f"create or replace temp view {ident(model.name)} as {sql}")
        mode = "view"
    elif model.materialized == "table":
        con.execute(f"create table {target} as {sql}")
    elif plan.mode == "full" or model.name not in plan.reload_dates:
        # No `order by` on the partition column: the raw view reads the partition files in date
        # order and each of DuckDB's insert threads keeps its rows in that order, so every row
        # group holds a few consecutive dates and a date filter still skips nearly all of them
        # (season, 2 threads: each date in at most 5 of 174 row groups, 3 when sorted). The
        # global sort of 21M rows cost ~20% of the model's CPU time (BENCHMARKS.md, Warehouse).
        con.execute(f"create table {target} as {sql}")
    else:
        mode = "incremental"
        _run_incremental(con, model, plan.reload_dates[model.name])
    rows = None
    if model.persisted:
        rows = int(con.execute(f"select count(*) from {target}").fetchone()[0])
    seconds = time.perf_counter() - started
    return ModelRun(model.name, model.layer, model.materialized, mode, rows, seconds)


def _run_incremental(con: duckdb.DuckDBPyConnection, model: Model, dates: tuple[date, ...]) -> None:
    """Replace ``dates`` in the table carried over in the copied previous warehouse.

    Every partition that did not change stays as stored; a changed (or removed) partition's rows
    are deleted and the reloaded ones appended, so a date is replaced, never appended twice.
    """
    target = model.qualified
    part = ident(model.partition_by)
    dates_param = [list(dates)]
    if dates:
        con.execute(f"create temp table _incoming as {select_sql(model)}")
        stray = con.execute(
            f"select count(*) from _incoming where not list_contains(?::date[], {part})",
            dates_param,
        ).fetchone()[0]
        if stray:
            raise ModelError(
                f"{model.path}: produced {stray} row(s) outside the partitions being reloaded"
            )
        con.execute(f"delete from {target} where list_contains(?::date[], {part})", dates_param)
        con.execute(f"insert into {target} by name select * from _incoming order by {part}")
        con.execute("drop table _incoming")
    if model.refresh_sql:
        con.execute(model.refresh_sql)


def _document(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Table and column comments from the spec; every column must be documented, and only those."""
    columns = table_columns(con, model)
    undocumented = [
        c for c in columns if c not in model.columns or not model.columns[c].description
    ]
    unknown = [c for c in model.columns if c not in columns]
    if undocumented or unknown:
        raise ModelError(
            f"{model.path.with_suffix('.yml')}: columns without a description {undocumented}; "
            f"described but not produced {unknown}"
        )
    con.execute(
        comments_sql(
            model.qualified, model.description, [(c, model.columns[c].description) for c in columns]
        )
    )


# --------------------------------------------------------------------------------------------
# meta: what this build read, ran and checked
# --------------------------------------------------------------------------------------------

_META_TABLES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "raw_partitions": (
        "The manifest: every raw partition file this build read, with size and mtime; the next build reloads fact partitions whose files differ.",
        [
            ("source", "varchar", "Raw source (consonance, bytenite)."),
            ("entity", "varchar", "Raw entity."),
            ("partition_key", "varchar", "Partition key (extracted_on, snapshot_on, metric_date)."),
            ("partition_value", "date", "Partition date."),
            ("path", "varchar", "File path relative to <LAKE_ROOT>/raw."),
            ("size_bytes", "bigint", "File size in bytes when read."),
            ("mtime_ns", "bigint", "File modification time (ns since epoch) when read."),
        ],
    ),
    "model_runs": (
        "One row per model of this build: how it was built, its row count and build time.",
        [
            ("model", "varchar", "Model name."),
            ("layer", "varchar", "staging, intermediate, marts or reverse."),
            (
                "materialized",
                "varchar",
                "table, ephemeral (temp view during the build) or incremental.",
            ),
            ("mode", "varchar", "view, full or incremental."),
            ("rows", "bigint", "Rows after the build (null for ephemeral models)."),
            ("seconds", "double", "Wall time to build the model."),
        ],
    ),
    "model_tests": (
        "One row per model test run by this build (all passed, or there would be no build).",
        [
            ("model", "varchar", "Model name."),
            ("test", "varchar", "Test name."),
            ("failures", "bigint", "Failing rows."),
            ("seconds", "double", "Wall time of the test."),
        ],
    ),
    "model_state": (
        "Fingerprint of each model's SQL, spec and upstream models; a changed fingerprint of an incremental model forces a full rebuild.",
        [
            ("model", "varchar", "Model name."),
            ("fingerprint", "varchar", "SHA-256 over the model and everything upstream of it."),
        ],
    ),
    "build_info": (
        "One row describing this build.",
        [
            ("built_at", "timestamptz", "When the build finished (UTC)."),
            ("logical_date", "date", "The run's logical date, if any."),
            ("mode", "varchar", "full or incremental."),
            ("reason", "varchar", "Why this mode."),
            (
                "reloaded_dates",
                "date[]",
                "Fact partitions (metric dates) loaded from the lake by this build.",
            ),
            ("storage_version", "varchar", "DuckDB storage format the file is written in."),
            ("duckdb_version", "varchar", "DuckDB library that wrote the file."),
            ("quality_suites_passed", "integer", "Great Expectations mart suites that passed."),
        ],
    ),
}


def _write_meta(
    con: duckdb.DuckDBPyConnection,
    day: date | None,
    plan: Plan,
    manifest: dict[tuple[str, str], list[raw.PartitionFile]],
    models: list[Model],
    runs: list[ModelRun],
    tests: list[TestResult],
    quality: dict[str, Any],
) -> None:
    for table, (description, columns) in _META_TABLES.items():
        target = f"{ident(META)}.{ident(table)}"
        con.execute(
            f"create or replace table {target} ({', '.join(f'{ident(c)} {t}' for c, t, _ in columns)})"
        )
        con.execute(comments_sql(target, description, [(c, d) for c, _, d in columns]))

    def names(table: str) -> list[str]:
        return [c for c, _, _ in _META_TABLES[table][1]]

    files = [f for fs in manifest.values() for f in fs]
    insert_rows(
        con,
        "meta.raw_partitions",
        names("raw_partitions"),
        [
            (
                f.source,
                f.entity,
                f.partition_key,
                f.partition_value,
                f.path,
                f.size_bytes,
                f.mtime_ns,
            )
            for f in files
        ],
    )
    insert_rows(
        con,
        "meta.model_runs",
        names("model_runs"),
        [(r.name, r.layer, r.materialized, r.mode, r.rows, r.seconds) for r in runs],
    )
    insert_rows(
        con,
        "meta.model_tests",
        names("model_tests"),
        [(t.model, t.name, t.failures, t.seconds) for t in tests],
    )
    insert_rows(
        con, "meta.model_state", names("model_state"), [(m.name, m.fingerprint) for m in models]
    )
    reloaded = sorted({d for ds in plan.reload_dates.values() for d in ds})
    con.execute(
        "insert into meta.build_info values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            datetime.now(UTC),
            day,
            plan.mode,
            plan.reason,
            reloaded if plan.mode == "incremental" else None,
            STORAGE_VERSION,
            duckdb.__version__,
            int(quality.get("suites_passed", 0)),
        ],
    )
