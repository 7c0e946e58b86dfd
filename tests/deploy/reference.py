"""The `make run` path for several days, in one process: ``airflow dags test`` of the five DAGs in
`make run`'s order and with its arguments (``--conf {"date": …}``), day after day.

``python tests/deploy/reference.py RESULTS DAY [DAY …]`` with AIRFLOW_HOME (a migrated SQLite
home), LAKE_ROOT and both AIRFLOW_CONN_* in the environment. Each DAG run goes through Airflow's
own command-line parser and ``dags test`` command with the arguments ``make run`` gives it; only
the start-up of a new interpreter per run (and the parse of the DAG file) is saved: 35 of them
for a week, ~10 min on 2 cores. Appends one JSON line per run to RESULTS:
``{"day", "dag_id", "seconds"}``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main(results: Path, days: list[str]) -> None:
    from airflow import configuration  # noqa: F401 - first, as `airflow` itself does
    from airflow.cli.cli_parser import get_parser
    from airflow.cli.commands.dag_command import dag_test
    from airflow.utils.cli import get_bagged_dag

    from titlevideo.local.cycle import RUN_ORDER

    parser = get_parser()
    # Each DAG file is parsed once: a second parse in the same interpreter finds its module
    # already imported and no DAG in it; the command takes the parsed DAG instead.
    dags = {dag_id: get_bagged_dag(bundle_names=None, dag_id=dag_id) for dag_id in RUN_ORDER}
    for day in days:
        for dag_id in RUN_ORDER:
            started = time.monotonic()
            args = parser.parse_args(
                ["dags", "test", dag_id, day, "--conf", json.dumps({"date": day})]
            )
            dag_test(args, dag=dags[dag_id])  # SystemExit("DagRun failed") as the command
            seconds = round(time.monotonic() - started, 1)
            with results.open("a") as fh:
                fh.write(json.dumps({"day": day, "dag_id": dag_id, "seconds": seconds}) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
