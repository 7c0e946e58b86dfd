"""
### Lake → DuckDB warehouse (`warehouse_build`)

Builds `warehouse/analytics.duckdb` from the raw lake (the L and T):

1. **validate_raw** — Great Expectations suites on the day's raw partitions (keys, codes, ranges).
2. **build** (pool `duckdb_writer`, one writer) — `dbt build` of the dbt project `include/sql`
   (in-process; staging → intermediate → marts → reverse, each model's data tests after it) into
   a *new* DuckDB file, the GX mart suites on it, then renames it over
   `warehouse/analytics.duckdb`. The log shows each model's and test's status and time. A failed test or suite fails the run before the
   swap: readers and the syncs keep the previous warehouse. Daily facts are incremental by
   metric date (only changed raw partitions are reloaded); `full_rebuild` rebuilds from the lake.
3. **report** — the performance report from the marts (read-only): charts of top titles, launch
   windows, channel, country and season mix at `<LAKE_ROOT>/reports/performance/<date>/index.html`.

Runs when both raw assets are updated (or by hand with `date`); emits the `warehouse` asset with
`{"date": …}` for the sync DAGs. Data Docs: `<LAKE_ROOT>/reports/data_docs/index.html`.
Analysts: `docs/warehouse.md`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, dag, task

from titlevideo.dagkit import (
    DEFAULT_ARGS,
    RAW_BYTENITE,
    RAW_CONSONANCE,
    WAREHOUSE,
    WAREHOUSE_POOL,
    assets,
    date_param,
)


@dag(
    dag_id="warehouse_build",
    schedule=[assets()[RAW_CONSONANCE], assets()[RAW_BYTENITE]],
    start_date=datetime(2016, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["warehouse", "duckdb", "quality"],
    doc_md=__doc__,
    params={
        "date": date_param("Logical date of the build (default: from the raw asset events)."),
        "full_rebuild": Param(
            False,
            type="boolean",
            description="Rebuild every table from the lake instead of reloading changed metric dates.",
        ),
    },
)
def warehouse_build():
    @task
    def validate_raw(**context):
        from titlevideo.quality.task import validate_raw_task

        return validate_raw_task(context)

    @task(
        pool=WAREHOUSE_POOL,
        outlets=[assets()[WAREHOUSE]],
        execution_timeout=timedelta(hours=3),
    )
    def build(**context):
        from titlevideo.warehouse.task import build_task

        return build_task(context)

    @task
    def report(**context):
        from titlevideo.report.task import report_task

        return report_task(context)

    validate_raw() >> build() >> report()


warehouse_build()
