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

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_exactly_the_project_dags(dagbag):
    assert sorted(dagbag.dag_ids) == sorted(DAG_IDS)


SCHEDULES = {
    "consonance_extract": "daily",
    "bytenite_extract": "daily",
    "warehouse_build": ["raw_consonance", "raw_bytenite"],
    "bytenite_sync": ["warehouse"],
    "consonance_sync": ["bytenite_synced"],
}


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_house_rules(dagbag, dag_id):
    dag = dagbag.dags.get(dag_id)
    assert dag is not None, f"{dag_id} missing"
    assert dag.tags, f"{dag_id} has no tags"
    assert dag.doc_md and len(dag.doc_md) > 40, f"{dag_id} has no doc_md"
    expected = SCHEDULES[dag_id]
    if expected == "daily":
        # a real one-day data interval (a plain "@daily" has a zero-length interval in Airflow 3)
        assert type(dag.timetable).__name__ == "CronDataIntervalTimetable", dag.timetable
        assert (dag.timetable.expression, str(dag.timetable.timezone)) == ("0 0 * * *", "UTC")
    else:
        assert sorted(asset.name for asset in dag.schedule) == sorted(expected)
    assert dag.max_active_runs is not None and dag.max_active_runs <= 4
    for task in dag.tasks:
        assert task.owner == "data-engineering", f"{dag_id}.{task.task_id} owner {task.owner!r}"
        assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def test_consonance_sync_waits_for_a_real_bytenite_sync(dagbag):
    """The Consonance links and summaries must see this cycle's ByteNite publishing: the asset
    that starts consonance_sync is the one bytenite_sync's last task emits, after the sync."""
    bytenite = dagbag.dags["bytenite_sync"]
    consonance = dagbag.dags["consonance_sync"]
    emitters = {t.task_id: [o.name for o in t.outlets] for t in bytenite.tasks if t.outlets}
    assert emitters == {"announce": ["bytenite_synced"]}
    assert bytenite.get_task("announce").upstream_task_ids == {"sync"}
    assert [a.name for a in consonance.schedule] == ["bytenite_synced"]
