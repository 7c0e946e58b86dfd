"""Consonance <-> ByteNite title-video ELT and reverse ETL.

Subpackages, one per external system and one per pipeline stage:

* ``titlevideo.transport`` - the one retry policy and paging guards every API call goes through
* ``titlevideo.consonance`` / ``titlevideo.bytenite`` - API clients built from Airflow connections
* ``titlevideo.lake`` - atomic Parquet partitions, quarantine, drift reports
* ``titlevideo.extract`` - the two extraction jobs
* ``titlevideo.warehouse`` - the DuckDB build from ``include/sql`` and its model tests
* ``titlevideo.quality`` - Great Expectations suites
* ``titlevideo.reverse`` - reverse ETL: the engine (diff, plan, exactly-once apply, state, logs)
  and ``reverse.targets``, the ByteNite and Consonance write-back flows
* ``titlevideo.report`` - the HTML performance report

DAG files in ``dags/`` are thin: each task is one call into this package.
"""

#: The DAGs this project ships (the integrity test checks the DAG folder holds exactly these).
DAG_IDS = (
    "consonance_extract",
    "bytenite_extract",
    "warehouse_build",
    "bytenite_sync",
    "consonance_sync",
)
