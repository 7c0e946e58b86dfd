"""Schema ``meta``: what a build read, ran and checked, from the lake listing and dbt's results.

``model_runs`` and ``model_tests`` are dbt's ``run_results.json`` of the build (one row per model
and per data test), so an analyst reads them with SQL beside the marts; the run summary and the
task log show the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from titlevideo.config import ConfigError
from titlevideo.warehouse import graph, raw
from titlevideo.warehouse.sqltext import comments_sql, ident, insert_rows

SCHEMA = "meta"


@dataclass(frozen=True)
class ModelRun:
    name: str
    layer: str
    materialized: str
    mode: str  # ephemeral | full | incremental
    rows: int | None
    seconds: float
    status: str = "success"


@dataclass(frozen=True)
class TestResult:
    model: str
    name: str
    failures: int
    seconds: float
    status: str = "pass"

    @property
    def passed(self) -> bool:
        return self.failures == 0 and self.status == "pass"


class ModelTestFailure(RuntimeError):
    """One or more model tests failed; the build stops before the swap."""

    def __init__(self, results: list[TestResult]):
        self.results = results
        lines = [f"{r.model}.{r.name}: {r.status}, {r.failures} failing row(s)" for r in results]
        super().__init__("model tests failed:\n  " + "\n  ".join(lines))


class ModelBuildError(RuntimeError):
    """A model failed to build (its SQL); dbt's message says why."""


def results(manifest: Any, run: Any, mode: str) -> tuple[list[ModelRun], list[TestResult]]:
    """ModelRun / TestResult rows from dbt's run results (ephemeral models have no run)."""
    by_uid = {r.node.unique_id: r for r in run.results}
    runs: list[ModelRun] = []
    for uid, node in graph.models(manifest).items():
        mat = node.config.materialized
        r = by_uid.get(uid)
        how = (
            "ephemeral"
            if mat == "ephemeral"
            else ("incremental" if mat == "incremental" and mode == "incremental" else "full")
        )
        runs.append(
            ModelRun(
                node.name,
                graph.layer(node),
                mat,
                how,
                None,
                float(r.execution_time) if r else 0.0,
                str(r.status) if r else ("ephemeral" if mat == "ephemeral" else "not run"),
            )
        )
    tests: list[TestResult] = []
    for r in run.results:
        node = r.node
        if node.resource_type != "test":
            continue
        attached = getattr(node, "attached_node", None) or next(iter(node.depends_on.nodes), "")
        model = attached.split(".")[-1]
        tests.append(
            TestResult(
                model, node.name, int(r.failures or 0), float(r.execution_time), str(r.status)
            )
        )
    return runs, tests


def errors(run: Any) -> list[str]:
    """dbt's messages for every model, seed or hook that did not succeed."""
    return [
        f"{r.node.unique_id}: {r.status}: {r.message}"
        for r in run.results
        if r.node.resource_type != "test" and str(r.status) not in ("success", "pass")
    ]


def create_reloaded_dates(con: duckdb.DuckDBPyConnection, dates: list[date]) -> None:
    """``meta.reloaded_dates``: read by fct_video_daily's hooks and its key tests (dbt)."""
    con.execute(f"create schema if not exists {ident(SCHEMA)}")
    _create(con, "reloaded_dates")
    insert_rows(con, "meta.reloaded_dates", ["metric_date"], [(d,) for d in dates])


def _create(con: duckdb.DuckDBPyConnection, table: str) -> None:
    description, columns = META_TABLES[table]
    target = f"{ident(SCHEMA)}.{ident(table)}"
    con.execute(
        f"create or replace table {target} ({', '.join(f'{ident(c)} {t}' for c, t, _ in columns)})"
    )
    con.execute(comments_sql(target, description, [(c, d) for c, _, d in columns]))


def _names(table: str) -> list[str]:
    return [c for c, _, _ in META_TABLES[table][1]]


def write(
    con: duckdb.DuckDBPyConnection,
    *,
    day: date | None,
    mode: str,
    reason: str,
    reloaded: list[date] | None,
    manifest: dict[tuple[str, str], list[raw.PartitionFile]],
    fingerprints: dict[str, str],
    runs: list[ModelRun],
    tests: list[TestResult],
    quality: dict[str, Any],
    storage_version: str,
    model_version: str = "",
) -> None:
    for table in (
        "raw_partitions",
        "model_runs",
        "model_tests",
        "model_state",
        "build_info",
        "model_version",
    ):
        _create(con, table)
    files = [f for fs in manifest.values() for f in fs]
    insert_rows(
        con,
        "meta.raw_partitions",
        _names("raw_partitions"),
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
        _names("model_runs"),
        [(r.name, r.layer, r.materialized, r.mode, r.status, r.rows, r.seconds) for r in runs],
    )
    insert_rows(
        con,
        "meta.model_tests",
        _names("model_tests"),
        [(t.model, t.name, t.status, t.failures, t.seconds) for t in tests],
    )
    insert_rows(con, "meta.model_state", _names("model_state"), sorted(fingerprints.items()))
    con.execute(
        "insert into meta.build_info values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            datetime.now(UTC),
            day,
            mode,
            reason,
            reloaded if mode == "incremental" else None,
            storage_version,
            duckdb.__version__,
            _dbt_version(),
            int(quality.get("suites_passed", 0)),
        ],
    )
    con.execute(
        "insert into meta.model_version values (?, ?)", [model_version or "unknown", _release()]
    )


def _release() -> str:
    from titlevideo.lake import release

    return release()


def _dbt_version() -> str:
    from importlib.metadata import version

    return f"dbt-core {version('dbt-core')}, dbt-duckdb {version('dbt-duckdb')}"


META_TABLES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "reloaded_dates": (
        "Metric dates this build loaded from the lake into fct_video_daily: every date on a full build; "
        "on an incremental build the dates whose raw partition was added, changed or removed.",
        [("metric_date", "date", "Metric date.")],
    ),
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
        "One row per dbt model of this build (from dbt's run_results.json): how it was built, its row count and build time.",
        [
            ("model", "varchar", "Model name."),
            ("layer", "varchar", "staging, intermediate, marts or reverse."),
            (
                "materialized",
                "varchar",
                "table, ephemeral (inlined by dbt as a CTE) or incremental.",
            ),
            ("mode", "varchar", "ephemeral, full or incremental."),
            ("status", "varchar", "dbt's status (success; ephemeral models do not run)."),
            ("rows", "bigint", "Rows after the build (null for ephemeral models)."),
            ("seconds", "double", "dbt's execution time of the model."),
        ],
    ),
    "model_tests": (
        "One row per dbt data test run by this build (all passed, or there would be no build).",
        [
            ("model", "varchar", "Model (or seed) the test is attached to."),
            ("test", "varchar", "dbt test name."),
            ("status", "varchar", "dbt's status (pass)."),
            ("failures", "bigint", "Failing rows."),
            ("seconds", "double", "dbt's execution time of the test."),
        ],
    ),
    "model_state": (
        "Fingerprint of each model's SQL, build config and upstream models; a changed fingerprint of an incremental model forces a full rebuild.",
        [
            ("model", "varchar", "Model name."),
            (
                "fingerprint",
                "varchar",
                "SHA-256 over the model, its config, the project's macros and everything upstream of it.",
            ),
        ],
    ),
    "model_version": (
        "The model version the warehouse was built from (the dbt project's `version`). A build finding an older one (or none) rebuilds in full; a newer one is refused; the syncs read only a warehouse of their own version.",
        [
            ("version", "varchar", "The dbt project's version (include/sql/dbt_project.yml)."),
            ("release", "varchar", "The package release that built it."),
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
            ("dbt_version", "varchar", "dbt-core and dbt-duckdb versions that built the models."),
            ("quality_suites_passed", "integer", "Great Expectations mart suites that passed."),
        ],
    ),
}


# --------------------------------------------------------------------------------------------
# The model version
# --------------------------------------------------------------------------------------------


class ModelVersionError(ConfigError):
    """A warehouse built from another model version than this release's (see its message)."""


def project_version(sql_root: Any) -> str:
    """The dbt project's ``version`` (the warehouse's model version)."""
    import yaml

    return str(yaml.safe_load((sql_root / "dbt_project.yml").read_text())["version"])


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def built_version(path: Any) -> str | None:
    """The model version of the warehouse file at ``path`` (None: built before the marker)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute("select version from meta.model_version limit 1").fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return None if row is None else str(row[0])


def rebuild_reason(path: Any, current: str) -> str | None:
    """Why the warehouse at ``path`` must be rebuilt in full (an older model version or none),
    or None if it is current; a newer one raises :class:`ModelVersionError` (a downgrade)."""
    found = built_version(path)
    if found is None:
        return f"previous warehouse has no model version (this release's is {current})"
    if _key(found) > _key(current):
        from titlevideo.lake import downgrade_message

        raise ModelVersionError(downgrade_message(f"The warehouse {path}", found, current, None))
    if found != current:
        return f"previous warehouse built from model version {found}, this release's is {current}"
    return None


def require_current(path: Any, current: str) -> None:
    """For readers (the syncs): the warehouse must be of this release's model version."""
    found = built_version(path)
    if found != current:
        raise ModelVersionError(
            f"The warehouse {path} was built from model version {found or 'before versions'}; "
            f"this release reads model version {current}. Run warehouse_build first (it "
            "rebuilds in full); nothing is read from it until then."
        )
