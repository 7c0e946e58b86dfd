"""The warehouse_build DAG file parses, in a fresh process with a throwaway AIRFLOW_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]

INSPECT = textwrap.dedent(
    """
    import json
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder="dags/warehouse_build.py")
    dag = bag.dags["warehouse_build"]
    build = dag.get_task("build")
    print(json.dumps({
        "errors": {k: str(v) for k, v in bag.import_errors.items()},
        "dags": sorted(bag.dags),
        "tags": sorted(dag.tags),
        "max_active_runs": dag.max_active_runs,
        "schedule": sorted(a.name for a in dag.timetable.asset_condition.objects),
        "tasks": sorted(t.task_id for t in dag.tasks),
        "upstream_of_build": sorted(build.upstream_task_ids),
        "upstream_of_report": sorted(dag.get_task("report").upstream_task_ids),
        "pool": build.pool,
        "outlets": [o.name for o in build.outlets],
        "params": sorted(dag.params.keys()),
        "full_rebuild_default": dag.params["full_rebuild"],
        "retries": build.retries,
        "owner": build.owner,
        "doc": dag.doc_md.strip().splitlines()[0],
    }))
    """
)


def test_dag_parses_with_its_schedule_pool_outlet_and_params(tmp_path):
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "LAKE_ROOT": str(tmp_path / "lake"),
    }
    env["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    proc = subprocess.run(
        [sys.executable, "-c", INSPECT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got == {
        "errors": {},
        "dags": ["warehouse_build"],
        "tags": ["duckdb", "quality", "warehouse"],
        "max_active_runs": 1,
        "schedule": ["raw_bytenite", "raw_consonance"],
        "tasks": ["build", "report", "validate_raw"],
        "upstream_of_build": ["validate_raw"],
        "upstream_of_report": ["build"],
        "pool": "duckdb_writer",
        "outlets": ["warehouse"],
        "params": ["date", "full_rebuild"],
        "full_rebuild_default": False,
        "retries": 2,
        "owner": "data-engineering",
        "doc": "### Lake → DuckDB warehouse (`warehouse_build`)",
    }
    # parsing imported neither DuckDB nor Great Expectations nor the warehouse package
    assert not (tmp_path / "lake").exists()
