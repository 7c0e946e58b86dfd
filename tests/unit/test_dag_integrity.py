"""Every DAG imports, and follows the house rules (Astronomer-style integrity test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from titlevideo import DAG_IDS

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"), include_examples=False)


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_exactly_the_project_dags(dagbag):
    assert sorted(dagbag.dag_ids) == sorted(DAG_IDS)


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_house_rules(dagbag, dag_id):
    dag = dagbag.get_dag(dag_id)
    assert dag is not None, f"{dag_id} missing"
    assert dag.tags, f"{dag_id} has no tags"
    assert dag.doc_md and len(dag.doc_md) > 40, f"{dag_id} has no doc_md"
    assert dag.timetable is not None and dag.timetable.summary != "None", (
        f"{dag_id} has no schedule"
    )
    assert dag.max_active_runs is not None and dag.max_active_runs <= 4
    for task in dag.tasks:
        assert task.owner == "data-engineering", f"{dag_id}.{task.task_id} owner {task.owner!r}"
        assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"
