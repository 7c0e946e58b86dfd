"""Run suites with GX Core 1.x (ephemeral context, pandas frames) and publish Data Docs.

GX is called directly — the Airflow GX provider cannot be installed with Airflow 3.3, and GX's
SQL datasource does not work on DuckDB — so every suite is a pandas frame (see
:mod:`titlevideo.quality.checks`). The context is ephemeral (nothing to keep in sync on disk);
its Data Docs site is rendered by GX's own site builder into a fresh folder that then replaces
``<LAKE_ROOT>/reports/data_docs/<section>/`` (``index.html``, next to a ``summary.json``);
``reports/data_docs/index.html`` links the sections (``raw``, ``marts``) with their outcome.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import duckdb

from titlevideo.lake import replace_dir, write_json_atomic, write_text_atomic
from titlevideo.quality.checks import DEFAULT_ROW_LIMIT, Suite, prepare

log = logging.getLogger(__name__)


class QualityError(RuntimeError):
    """A Great Expectations suite failed; the message lists the failed expectations."""

    def __init__(self, section: str, failures: list[str], docs: Path | None):
        self.section = section
        self.failures = failures
        self.docs = docs
        where = f" (Data Docs: {docs})" if docs else ""
        super().__init__(f"{section} quality suites failed{where}:\n  " + "\n  ".join(failures))


def _context(site_dir: Path) -> Any:
    # GX logs its own start-up chatter at INFO; task logs keep only its warnings.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites={
            "quality": {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": os.fspath(site_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def run_suites(
    con: duckdb.DuckDBPyConnection,
    suites: list[Suite],
    *,
    section: str,
    reports: Path | None,
    row_limit: int = DEFAULT_ROW_LIMIT,
    raise_on_failure: bool = True,
) -> dict[str, Any]:
    """Validate every suite; write Data Docs to ``reports/quality/<section>``; raise if one failed."""
    import great_expectations as gx

    started = time.perf_counter()
    final_dir = reports / "data_docs" / section if reports else None
    build_dir = None
    if final_dir is not None:
        final_dir.parent.mkdir(parents=True, exist_ok=True)
        build_dir = final_dir.parent / f".{section}.tmp-{uuid.uuid4().hex}"
    context = _context(build_dir or Path(os.devnull))
    source = context.data_sources.add_pandas("frames")
    results: list[dict[str, Any]] = []
    failures: list[str] = []
    for suite in suites:
        prepared = prepare(con, suite, row_limit)
        asset = source.add_dataframe_asset(suite.name)
        batch = asset.add_batch_definition_whole_dataframe("whole")
        expectations = [
            getattr(gx.expectations, cls)(**kwargs) for cls, kwargs in prepared.expectations
        ]
        gx_suite = context.suites.add(
            gx.ExpectationSuite(name=suite.name, expectations=expectations)
        )
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(data=batch, suite=gx_suite, name=f"validate {suite.name}")
        )
        outcome = definition.run(
            batch_parameters={"dataframe": prepared.frame}, result_format="SUMMARY"
        )
        failed = []
        for r in outcome.results:
            if not r.success:
                cfg = r.expectation_config
                kwargs = {
                    k: v
                    for k, v in cfg.kwargs.items()
                    if k
                    in ("column", "column_list", "column_A", "column_B", "min_value", "max_value")
                }
                unexpected = (r.result or {}).get("unexpected_count")
                observed = (r.result or {}).get("observed_value")
                sample = (r.result or {}).get("partial_unexpected_list")
                detail = f"{suite.name}: {cfg.type} {kwargs}"
                if unexpected is not None:
                    detail += f" unexpected={unexpected}"
                if observed is not None:
                    detail += f" observed={observed}"
                if sample:
                    detail += f" e.g. {list(sample)[:3]}"
                failed.append(detail)
        failures.extend(failed)
        results.append(
            {
                "suite": suite.name,
                "shape": prepared.shape,
                "rows": prepared.rows,
                "success": bool(outcome.success),
                "expectations": len(outcome.results),
                "failed": failed,
            }
        )
        log.info(
            "suite %-45s %-7s rows=%-9d %s (%d expectations)",
            suite.name,
            prepared.shape,
            prepared.rows,
            "passed" if outcome.success else "FAILED",
            len(outcome.results),
        )
    docs = None
    if build_dir is not None and final_dir is not None:
        try:
            context.build_data_docs()
            summary_doc = {
                "section": section,
                "suites": results,
                "passed": sum(r["success"] for r in results),
                "failed": sum(not r["success"] for r in results),
            }
            write_json_atomic(build_dir / "summary.json", summary_doc)
            replace_dir(build_dir, final_dir)
            docs = final_dir / "index.html"
            _write_landing(final_dir.parent)
        finally:
            if build_dir.exists():
                shutil.rmtree(build_dir, ignore_errors=True)
    summary = {
        "section": section,
        "suites_passed": sum(r["success"] for r in results),
        "suites_failed": sum(not r["success"] for r in results),
        "suites": {r["suite"]: r["success"] for r in results},
        "docs": os.fspath(docs) if docs else None,
        "seconds": round(time.perf_counter() - started, 2),
    }
    if failures and raise_on_failure:
        raise QualityError(section, failures, docs)
    return summary


def _write_landing(root: Path) -> None:
    """``data_docs/index.html``: one line per section with its last outcome and a link."""
    import html
    import json

    rows = []
    for summary_file in sorted(root.glob("*/summary.json")):
        try:
            data = json.loads(summary_file.read_text())
        except ValueError:
            continue
        section = summary_file.parent.name
        state = "passed" if not data.get("failed") else f"{data['failed']} failed"
        rows.append(
            f'<li><a href="{html.escape(section)}/index.html">{html.escape(section)}</a>: '
            f"{data.get('passed', 0)} suites passed, {html.escape(state)}</li>"
        )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Data quality</title></head><body>"
        "<h1>Data quality (Great Expectations)</h1><ul>" + "".join(rows) + "</ul></body></html>"
    )
    write_text_atomic(root / "index.html", page)
