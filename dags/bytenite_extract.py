"""
### ByteNite → lake (`bytenite_extract`)

Daily extraction of ByteNite video assets and analytics into the Parquet lake:

* `raw/bytenite/{jobs,assets,placements}/snapshot_on=<day>/`: full snapshots of the current state;
* `raw/bytenite/daily_metrics/metric_date=<d>/`: the daily analytics of every metric date in the
  run's interval (asset × channel × country). Any past date can be re-pulled, so a backfill
  re-pulls exactly its dates.
* **History**: the first run of a deployment (no metric date in the lake yet), or a run with the
  `history_days` param, also catches up on a trailing window of daily analytics (default 90 days,
  `history.days` in the business rules; never before ByteNite's first asset), paced under the
  API's rate limit, one atomic partition per date. Dates already in the lake are kept, so a killed
  catch-up is resumed by the next run.

First, `check` runs the preflight against the ByteNite connection (the token exchange, every path
the pipeline uses after the connection's `paths` remapping, the fields it reads); a pass is
reused for a day, a failure stops the run with the report.

Manual runs take the `date` param. Invalid records go to `quarantine/bytenite/…`; unknown API
fields to `reports/drift/…`. Emits the `raw_bytenite` asset with `{"date": …}` for
`warehouse_build`.
"""

from __future__ import annotations

from airflow.sdk import CronDataIntervalTimetable, Param, dag, task

from titlevideo.dagkit import RAW_BYTENITE_ASSET, daily_extract_args


@dag(
    dag_id="bytenite_extract",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    tags=["bytenite", "extract", "lake"],
    doc_md=__doc__,
    **daily_extract_args(  # start, end, catch-up, run limit, and the `date` Param of both
        history_days=Param(
            None,
            type=["null", "integer"],
            minimum=1,
            maximum=3660,
            title="History days",
            description=(
                "Also catch up this many days of daily analytics ending on the run's date "
                "(dates already in the lake are kept). The first run of a deployment does this "
                "by itself, for the business rules' history.days."
            ),
        ),
    ),
)
def bytenite_extract():
    @task
    def check():
        from titlevideo.extract import task as edge

        edge.preflight("ByteNite")

    @task
    def snapshot(**context):
        from titlevideo.extract import task as edge

        return edge.bytenite_snapshot(context)

    @task
    def metrics(**context):
        from titlevideo.extract import task as edge

        return edge.bytenite_metrics(context)

    @task(outlets=[RAW_BYTENITE_ASSET])
    def done(snapshot_summary, metrics_summary, **context):
        from titlevideo.extract import task as edge

        return edge.bytenite_done(context, snapshot_summary, metrics_summary)

    gate = check()
    snap, met = snapshot(), metrics()
    gate >> [snap, met]
    done(snap, met)


bytenite_extract()
