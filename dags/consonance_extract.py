"""
### Consonance → lake (`consonance_extract`)

Daily extraction of Consonance title metadata into the Parquet lake:
`raw/consonance/{works,products,marketing_texts,web_links}/extracted_on=<day>/`.

* **Scheduled runs** cover one day (`CronDataIntervalTimetable("@daily")`) and pull the works
  changed since the day before the interval start (one day of lookback; overlap is deduped
  in staging). The first run ever pulls the whole catalogue.
* **Manual runs** take the `date` param (a manual run in Airflow 3 may have no interval);
  `full_refresh` pulls the whole catalogue; `mode` forces `daily`, `season` or `full`.
* **Backfill runs** (`airflow backfill create`, e.g. over a publication season) pull the titles with
  a product published in each run's day, so a season's window yields the season's titles in full.

Invalid records go to `quarantine/consonance/…` with their reason; unknown API fields are
recorded in `reports/drift/…`; a breaking API change fails before anything is made visible.
Emits the `raw_consonance` asset with `{"date": …}` for `warehouse_build`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from airflow.sdk import CronDataIntervalTimetable, Param, dag, task

from titlevideo.dagkit import DEFAULT_ARGS, RAW_CONSONANCE, assets, date_param


@dag(
    dag_id="consonance_extract",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=datetime(2016, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=2,  # bounded, so a season backfill does not flood the API
    default_args=DEFAULT_ARGS,
    tags=["consonance", "extract", "lake"],
    doc_md=__doc__,
    params={
        "date": date_param("Day to extract on a manual run (default: the run's data interval)."),
        "full_refresh": Param(False, type="boolean", description="Pull the whole catalogue."),
        "mode": Param(
            "auto",
            type="string",
            enum=["auto", "daily", "season", "full"],
            description=(
                "auto: the whole catalogue on the first run, then changes since the day before; "
                "daily: changes only; season: titles with a product published that day "
                "(what backfill runs do); full: the whole catalogue."
            ),
        ),
    },
)
def consonance_extract():
    @task(outlets=[assets()[RAW_CONSONANCE]])
    def extract(**context):
        from titlevideo import tasks

        return tasks.consonance_extract(context)

    extract()


consonance_extract()
