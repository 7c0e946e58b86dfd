"""
### ByteNite → lake (`bytenite_extract`)

Daily extraction of ByteNite video assets and analytics into the Parquet lake:

* `raw/bytenite/{jobs,assets,placements}/snapshot_on=<day>/`: full snapshots of the current state;
* `raw/bytenite/daily_metrics/metric_date=<d>/`: the daily analytics of every metric date in the
  run's interval (asset × channel × country). Any past date can be re-pulled, so a backfill
  re-pulls exactly its dates.

Manual runs take the `date` param. Invalid records go to `quarantine/bytenite/…`; unknown API
fields to `reports/drift/…`. Emits the `raw_bytenite` asset with `{"date": …}` for
`warehouse_build`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from airflow.sdk import CronDataIntervalTimetable, dag, task

from titlevideo.dagkit import DEFAULT_ARGS, RAW_BYTENITE, assets, date_param


@dag(
    dag_id="bytenite_extract",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=datetime(2016, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=2,  # bounded, so a season backfill does not flood the API
    default_args=DEFAULT_ARGS,
    tags=["bytenite", "extract", "lake"],
    doc_md=__doc__,
    params={
        "date": date_param("Day to extract on a manual run (default: the run's data interval).")
    },
)
def bytenite_extract():
    @task
    def snapshot(**context):
        from titlevideo import tasks

        return tasks.bytenite_snapshot(context)

    @task
    def metrics(**context):
        from titlevideo import tasks

        return tasks.bytenite_metrics(context)

    @task(outlets=[assets()[RAW_BYTENITE]])
    def done(snapshot_summary, metrics_summary, **context):
        from titlevideo import tasks

        return tasks.bytenite_done(context, snapshot_summary, metrics_summary)

    done(snapshot(), metrics())


bytenite_extract()
