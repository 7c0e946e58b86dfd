"""dbt-core + dbt-duckdb, in-process (``dbtRunner``), on the project in ``include/sql``.

The profile is written here, never read from ``~/.dbt``: one target, ``path`` = the build's new
warehouse file, in the storage format the build asks for (DuckDB connect option
``storage_compatibility_version``). dbt's artifacts (``manifest.json``, ``run_results.json``, the
partial-parse file) and its log go to ``<LAKE_ROOT>/warehouse/dbt/``; the project folder is only
read. Anonymous usage statistics and the version check are off (nothing leaves the machine).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

PROFILE = "titlevideo"
#: The warehouse file of the running build; the profile reads it from the environment so that the
#: profile text (and with it dbt's partial parsing) stays the same from build to build.
PATH_ENV = "TITLEVIDEO_DBT_WAREHOUSE"

#: dbt's threads (models and tests run at once); DuckDB parallelises each query on its own.
THREADS_ENV = "TITLEVIDEO_DBT_THREADS"
DEFAULT_THREADS = 4

EventCallback = Callable[[Any], None]


def dbt_threads() -> int:
    """dbt's thread count: ``TITLEVIDEO_DBT_THREADS`` (1-64), else 4.

    Each model is one DuckDB query that already uses every core, so more dbt threads mostly
    overlap dbt's own per-node work; 1 runs the nodes one after another (the benchmark's serial
    profile, where each node's time is its own).
    """
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return DEFAULT_THREADS
    try:
        threads = int(raw)
    except ValueError:
        threads = 0
    if not 1 <= threads <= 64:
        raise ValueError(f"{THREADS_ENV}={raw!r}: expected a whole number of threads from 1 to 64")
    return threads


class DbtError(RuntimeError):
    """dbt could not run (a compile or configuration error); the message is dbt's."""


@dataclass(frozen=True)
class DbtProject:
    """The dbt project folder and the working folder of its runs."""

    project_dir: Path
    work_dir: Path
    storage_version: str
    threads: int = field(default_factory=dbt_threads)

    @property
    def target_dir(self) -> Path:
        return self.work_dir / "target"

    def write_profile(self) -> Path:
        profile = {
            PROFILE: {
                "target": "build",
                "outputs": {
                    "build": {
                        "type": "duckdb",
                        "path": "{{ env_var('" + PATH_ENV + "') }}",
                        "schema": "main",
                        "threads": self.threads,
                        "config_options": {"storage_compatibility_version": self.storage_version},
                    }
                },
            }
        }
        self.work_dir.mkdir(parents=True, exist_ok=True)
        path = self.work_dir / "profiles.yml"
        text = yaml.safe_dump(profile, sort_keys=True)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        return path

    def _args(self, command: list[str]) -> list[str]:
        return [
            *command,
            "--project-dir",
            os.fspath(self.project_dir),
            "--profiles-dir",
            os.fspath(self.work_dir),
            "--target-path",
            os.fspath(self.target_dir),
            "--log-path",
            os.fspath(self.work_dir / "logs"),
        ]

    def invoke(
        self,
        command: list[str],
        database: Path,
        *,
        manifest: Any = None,
        callbacks: list[EventCallback] | None = None,
    ) -> Any:
        """Run one dbt command against ``database``; returns dbt's result object.

        Raises :class:`DbtError` when dbt itself failed (not for failing models or tests: the
        caller reads those from the result).
        """
        from dbt.cli.main import dbtRunner

        self.write_profile()
        env = {
            PATH_ENV: os.fspath(database),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_VERSION_CHECK": "false",
            "DBT_USE_COLORS": "false",
            "DBT_LOG_LEVEL": os.environ.get("DBT_LOG_LEVEL", "warn"),
            "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE", "info"),
            "DBT_PRINTER_WIDTH": "100",
        }
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            runner = dbtRunner(manifest=manifest, callbacks=callbacks or [])
            res = runner.invoke(self._args(command))
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            close_connections()
        if res.exception is not None:
            raise DbtError(f"dbt {command[0]} failed: {res.exception}") from res.exception
        return res

    def parse(self, database: Path) -> Any:
        """The parsed manifest (dbt reuses ``partial_parse.msgpack`` when nothing changed)."""
        return self.invoke(["parse"], database).result


def close_connections() -> None:
    """Close dbt-duckdb's process-wide DuckDB connection, so the file can be checkpointed and
    renamed (dbt-duckdb keeps it open between invocations for reuse)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
    if env is not None:
        try:
            env.close()
        except Exception as exc:  # the connection is gone either way
            log.debug("closing dbt-duckdb's connection: %s", exc)
