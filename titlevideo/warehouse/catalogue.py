"""The warehouse catalogue: dbt's documentation site as one offline HTML file.

``dbt docs generate --static`` writes ``target/static_index.html``: the docs site with the
manifest and the catalogue (every table's columns, types and comments as DuckDB reports them)
inlined, so it opens from ``file://`` with no server and no network. It shows every model,
source and seed with its description, columns and tests, and the lineage graph from the raw
sources through staging, intermediate and marts to the ``rev_`` models.

Generated on the new file before the swap (the raw views, the dbt sources, still exist), and
published to ``<LAKE_ROOT>/reports/catalogue/index.html`` only after the swap, so the catalogue
always describes the warehouse in place.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from titlevideo.lake import write_text_atomic

log = logging.getLogger(__name__)

#: Under ``<LAKE_ROOT>/reports``.
FOLDER = "catalogue"


def generate(project: Any, database: Path, manifest: Any) -> None:
    """``dbt docs generate --static`` on ``database`` (models already compiled by the build)."""
    started = time.perf_counter()
    project.invoke(["docs", "generate", "--static", "--no-compile"], database, manifest=manifest)
    log.info("dbt docs generate --static: %.2fs", time.perf_counter() - started)


def path(reports: Path) -> Path:
    return reports / FOLDER / "index.html"


def publish(work_dir: Path, reports: Path) -> Path:
    """Copy the generated single-file catalogue to ``reports/catalogue/index.html`` (atomically)."""
    source = work_dir / "target" / "static_index.html"
    target = path(reports)
    write_text_atomic(target, source.read_text(encoding="utf-8"))
    log.info("warehouse catalogue: %s", os.fspath(target))
    return target
