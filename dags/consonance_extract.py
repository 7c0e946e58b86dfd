"""
### Consonance → lake (`consonance_extract`)

Daily extraction of Consonance title metadata into the Parquet lake:
`raw/consonance/{works,products,marketing_texts,web_links}/extracted_on=<day>/`.

* **Scheduled runs** cover one day (`CronDataIntervalTimetable("@daily")`) and pull the works
  changed since the day before the interval start (one day of lookback; overlap is deduped
  in staging). The first run ever pulls the whole catalogue, and so does the first run after
  an upgrade that extracts fields the lake's full extraction lacks.
* **Manual runs** take the `date` param (a manual run in Airflow 3 may have no interval);
  `mode` forces `daily`, `season` or `full` (the whole catalogue). The former `full_refresh`
  param is gone: a trigger that still passes it is told to use `mode=full`.
* **Backfill runs** (`airflow backfill create`, e.g. over a publication season) pull the titles with
  a product published in each run's day, so a season's window yields the season's titles in full.

First, `check` runs the preflight against the Consonance connection (authentication, every
GraphQL document the pipeline sends validated against the server's schema); a pass is reused for
a day, a failure stops the run with the report.

Invalid records go to `quarantine/consonance/…` with their reason; unknown API fields are
recorded in `reports/drift/…`; a breaking API change fails before anything is made visible.
Emits the `raw_consonance` asset with `{"date": …}` for `warehouse_build`.
"""

from __future__ import annotations

from airflow.sdk import CronDataIntervalTimetable, Param, dag, task

from titlevideo.dagkit import RAW_CONSONANCE_ASSET, daily_extract_args


@dag(
    dag_id="consonance_extract",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    tags=["consonance", "extract", "lake"],
    doc_md=__doc__,
    **daily_extract_args(  # start, end, catch-up, run limit, and the `date` Param of both
        mode=Param(
            "auto",
            type="string",
            enum=["auto", "daily", "season", "full"],
            description=(
                "auto: the whole catalogue on the first run, then changes since the day before; "
                "daily: changes only; season: titles with a product published that day "
                "(what backfill runs do); full: the whole catalogue."
            ),
        ),
    ),
)
def consonance_extract():
    @task
    def check():
        from titlevideo.extract import task as edge

        edge.preflight("Consonance")

    @task(outlets=[RAW_CONSONANCE_ASSET])
    def extract(**context):
        from titlevideo.extract import task as edge

        return edge.consonance_extract(context)

    check() >> extract()


consonance_extract()
