"""Parse DAG files the way Airflow's DAG processor does, in a fresh process, and time it.

    python bench/dag_parse.py dags/consonance_extract.py    # one file
    python bench/dag_parse.py dags                          # the whole folder

Airflow itself is imported before the clock starts (the DAG processor has it loaded already and
parses each file in a fresh child); what is timed is ``DagBag(dag_folder=...)``: the file's own
imports and top-level code. Prints one JSON line with the seconds, the DAGs found and, per file,
Airflow's own parse duration.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    target = Path(sys.argv[1]).resolve()
    sys.path.insert(0, str(ROOT))
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import DAG  # noqa: F401

    started = time.perf_counter()
    bag = DagBag(dag_folder=str(target))
    seconds = time.perf_counter() - started
    stats = {
        Path(s.file).name: getattr(s.duration, "total_seconds", lambda d=s.duration: d)()
        for s in bag.dagbag_stats
    }
    print(
        json.dumps(
            {
                "seconds": seconds,
                "dags": sorted(bag.dag_ids),
                "import_errors": {str(k): str(v)[:300] for k, v in bag.import_errors.items()},
                "files": stats,
            }
        )
    )


if __name__ == "__main__":
    main()
