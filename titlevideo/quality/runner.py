"""Run suites with GX Core 1.x (ephemeral context, pandas frames) and publish Data Docs.

GX is called directly — the Airflow GX provider cannot be installed with Airflow 3.3, and GX's
SQL datasource does not work on DuckDB — so every suite is a pandas frame (see
:mod:`titlevideo.quality.checks`). The context is ephemeral (nothing to keep in sync on disk);
its Data Docs site is rendered by GX's own site builder into a fresh folder that then replaces
``<LAKE_ROOT>/reports/data_docs/<section>/`` (``index.html``, next to a ``summary.json`` and
``results.json``, GX's validation result of every suite). GX's pages load their assets from CDNs,
so ``reports/data_docs/index.html`` and ``<section>/results.html`` are rendered from those two
files by :mod:`titlevideo.report.quality` as pages that need no network.
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

from titlevideo.lake import replace_dir, write_json_atomic
from titlevideo.quality.checks import DEFAULT_ROW_LIMIT, Prepared, Suite, prepare
from titlevideo.report.quality import RESULTS_PAGE, write_quality_pages

log = logging.getLogger(__name__)


class QualityError(RuntimeError):
    """A Great Expectations suite failed; the message lists the failed expectations."""

    def __init__(self, section: str, failures: list[str], docs: Path | None):
        self.section = section
        self.failures = failures
        self.docs = docs
        where = f" (Data Docs: {docs})" if docs else ""
        super().__init__(f"{section} quality suites failed{where}:\n  " + "\n  ".join(failures))


def _gx() -> Any:
    """Great Expectations, imported with its loggers at WARNING: its import logs about 200 INFO
    lines of start-up chatter ("Skipping registering function ...") into the task log."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx

    return gx


def _context(site_dir: Path) -> Any:
    gx = _gx()
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
    started = time.perf_counter()
    prepared = [prepare(con, suite, row_limit) for suite in suites]
    return run_prepared(
        prepared,
        section=section,
        reports=reports,
        raise_on_failure=raise_on_failure,
        started=started,
    )


def run_prepared(
    suites: list[Prepared],
    *,
    section: str,
    reports: Path | None,
    raise_on_failure: bool = True,
    started: float | None = None,
) -> dict[str, Any]:
    """:func:`run_suites` on suites already prepared (their frames computed in DuckDB): needs no
    connection, so it also runs in the GX worker process (:mod:`titlevideo.quality.worker`)."""
    gx = _gx()

    started = time.perf_counter() if started is None else started
    final_dir = reports / "data_docs" / section if reports else None
    build_dir = None
    if final_dir is not None:
        final_dir.parent.mkdir(parents=True, exist_ok=True)
        build_dir = final_dir.parent / f".{section}.tmp-{uuid.uuid4().hex}"
    context = _context(build_dir or Path(os.devnull))
    source = context.data_sources.add_pandas("frames")
    results: list[dict[str, Any]] = []
    validations: dict[str, Any] = {}
    failures: list[str] = []
    for prepared in suites:
        suite = prepared.suite
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
        validations[suite.name] = outcome.to_json_dict()
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
    if build_dir is not None and final_dir is not None and reports is not None:
        try:
            context.build_data_docs()
            summary_doc = {
                "section": section,
                "suites": results,
                "passed": sum(r["success"] for r in results),
                "failed": sum(not r["success"] for r in results),
            }
            write_json_atomic(build_dir / "summary.json", summary_doc)
            write_json_atomic(build_dir / "results.json", validations)
            replace_dir(build_dir, final_dir)
            docs = final_dir / RESULTS_PAGE
            write_quality_pages(reports)
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
