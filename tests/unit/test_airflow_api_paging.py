"""AirflowApi.every: a list endpoint answers at most the server's ``maximum_page_limit`` entries
per call (100 by default, whatever ``limit`` asks), so a month of task instances or a backfill
of more than 100 days must be read page by page. The fake below keeps that contract (a cap, an
offset, ``order_by=id``, ``total_entries``); the same code pages through the real API server in
``make test-deploy``, whose stack runs with a page limit of 20."""

from __future__ import annotations

from typing import Any

import pytest

from titlevideo.local.api import AirflowApi

pytestmark = pytest.mark.unit


class FakeList:
    """One list endpoint of the API server: entries with increasing ids, ``cap`` per answer."""

    def __init__(self, count: int, cap: int) -> None:
        self.rows = [{"id": i, "name": f"ti-{i}"} for i in range(1, count + 1)]
        self.cap = cap
        self.calls: list[dict[str, Any]] = []
        self.after_first_page: list[dict[str, Any]] = []

    def call(self, method: str, path: str, *, json: Any = None, params: Any = None) -> Any:
        assert (method, path) == ("GET", "dags/~/dagRuns/~/taskInstances")
        self.calls.append(dict(params))
        assert params["order_by"] == "id" and params["state"] == "running"
        rows = sorted(self.rows, key=lambda r: r["id"])
        offset, limit = params["offset"], min(params["limit"], self.cap)
        page = rows[offset : offset + limit]
        if len(self.calls) == 1:  # a task starts while the client reads the first page
            self.rows += self.after_first_page
        return {"task_instances": page, "total_entries": len(rows)}


def _api(fake: FakeList) -> AirflowApi:
    api = AirflowApi("http://airflow.invalid", "admin", "secret")
    api.call = fake.call  # type: ignore[method-assign]
    return api


@pytest.mark.parametrize("count, cap", [(0, 100), (99, 100), (100, 100), (250, 100), (65, 20)])
def test_every_entry_once_whatever_the_servers_page_limit(count: int, cap: int) -> None:
    fake = FakeList(count, cap)
    found = _api(fake).every(
        "dags/~/dagRuns/~/taskInstances", "task_instances", {"state": "running"}
    )
    assert [r["id"] for r in found] == list(range(1, count + 1))
    assert len(fake.calls) == max(1, -(-count // cap))  # no call more than the pages


def test_an_entry_created_while_paging_is_read_once() -> None:
    fake = FakeList(45, 20)
    fake.after_first_page = [{"id": 46, "name": "ti-46"}]
    found = _api(fake).every(
        "dags/~/dagRuns/~/taskInstances", "task_instances", {"state": "running"}
    )
    assert [r["id"] for r in found] == list(range(1, 47))
