"""Rows in doubt: a sync killed between a row's calls and their recording is verified on rerun.

A fake remote whose objects take two calls to change (``x`` then ``y``) and whose observations
come from a stale snapshot, as the warehouse's do. The "kill" is a BaseException raised by the
remote after some calls (nothing in the engine catches it, as nothing survives SIGKILL).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from titlevideo.reverse.engine import Engine, Op, Row, Target
from titlevideo.reverse.state import StateStore

pytestmark = pytest.mark.unit


class Killed(BaseException):
    pass


class TwoStep(Target):
    name = "two-step"
    deletes = False
    observable = True

    def __init__(self, desired: dict[str, dict[str, int]]):
        self.desired = desired
        self.live: dict[str, dict[str, int]] = {}
        self.snapshot: dict[str, dict[str, int]] = {}  # what the last extraction saw
        self.calls: list[str] = []
        self.kill_after: int | None = None
        self.observed_at = datetime.now(UTC) - timedelta(hours=1)

    def rows(self):
        for key, want in sorted(self.desired.items()):
            yield Row(key, want, self.snapshot.get(key), self.observed_at)

    def observe(self, row: Row) -> dict[str, Any] | None:
        live = self.live.get(row.key)
        return None if live is None else dict(live)

    def apply(self, op: Op, calls) -> str | None:
        have = dict(op.row.observed or {})
        for field in ("x", "y"):
            if have.get(field) != op.row.desired[field]:

                def write(field: str = field) -> None:
                    self.live.setdefault(op.row.key, {})[field] = op.row.desired[field]
                    self.calls.append(f"{op.row.key}.{field}={op.row.desired[field]}")

                calls(f"set {field}", write)
                if self.kill_after is not None and len(self.calls) >= self.kill_after:
                    raise Killed
        return op.row.key


def _run(store: StateStore, target: TwoStep, run_id: str) -> dict[str, Any]:
    return Engine(store, run_id, writes_per_second=1000, max_attempts=3).sync(target)


@pytest.fixture
def store(tmp_path):
    s = StateStore(tmp_path / "sync.sqlite")
    yield s
    s.close()


def test_killed_after_every_call_the_rerun_adopts_without_a_call(store):
    t = TwoStep({"a": {"x": 1, "y": 2}, "b": {"x": 3, "y": 4}})
    t.kill_after = 2  # both calls of "a" made, its result never recorded
    with pytest.raises(Killed):
        _run(store, t, "r1")
    assert store.inflight("two-step") == {"a"}
    assert t.live == {"a": {"x": 1, "y": 2}}

    t.kill_after, t.calls = None, []
    result = _run(store, t, "r2")
    assert t.calls == ["b.x=3", "b.y=4"]  # nothing for "a": it was read back and adopted
    assert result["applied"] == {"adopt": 1, "create": 1}
    assert store.inflight("two-step") == set()
    assert {k: s.status for k, s in store.load("two-step").items()} == {"a": "ok", "b": "ok"}


def test_killed_between_two_calls_the_rerun_makes_only_the_missing_one(store):
    t = TwoStep({"a": {"x": 1, "y": 2}})
    t.kill_after = 1
    with pytest.raises(Killed):
        _run(store, t, "r1")
    t.kill_after, t.calls = None, []
    _run(store, t, "r2")
    assert t.calls == ["a.y=2"]  # the stale snapshot alone would have sent x again
    assert t.live == {"a": {"x": 1, "y": 2}}


def test_a_row_in_doubt_is_verified_even_when_nothing_else_would_plan_it(store):
    t = TwoStep({"a": {"x": 1, "y": 2}})
    _run(store, t, "r1")
    t.snapshot = {"a": {"x": 1, "y": 2}}  # an extraction saw it as desired
    t.desired = {"a": {"x": 5, "y": 6}}
    t.kill_after = 3  # x=5 sent, y not: the remote is half changed
    with pytest.raises(Killed):
        _run(store, t, "r2")
    assert t.live == {"a": {"x": 5, "y": 2}}
    t.desired = {"a": {"x": 1, "y": 2}}  # the change is taken back before the rerun
    t.kill_after, t.calls = None, []
    plan = Engine(store, "r3", writes_per_second=1000, max_attempts=3).plan(t)
    assert [(op.kind, op.in_doubt) for op in plan.ops] == [("update", True)]
    _run(store, t, "r3")
    assert t.calls == ["a.x=1"] and t.live == {"a": {"x": 1, "y": 2}}


def test_a_row_that_failed_part_way_is_verified_before_its_retry(store):
    from titlevideo.reverse.engine import RowError

    class FailsOnY(TwoStep):
        def apply(self, op: Op, calls) -> str | None:
            have = dict(op.row.observed or {})
            if have.get("x") != op.row.desired["x"]:
                calls(
                    "set x",
                    lambda: (
                        self.live.setdefault(op.row.key, {}).update(x=op.row.desired["x"])
                        or self.calls.append("x")
                    ),
                )
            if self.refuse_y:
                raise RowError("y refused")
            calls(
                "set y",
                lambda: (
                    self.live.setdefault(op.row.key, {}).update(y=op.row.desired["y"])
                    or self.calls.append("y")
                ),
            )
            return op.row.key

    t = FailsOnY({"a": {"x": 1, "y": 2}})
    t.refuse_y = True
    result = _run(store, t, "r1")
    assert result["failed"] == 1 and t.calls == ["x"]
    assert store.inflight("two-step") == {"a"}  # part of it may have been applied
    t.refuse_y, t.calls = False, []
    _run(store, t, "r2")
    assert t.calls == ["y"] and t.live == {"a": {"x": 1, "y": 2}}
    assert store.inflight("two-step") == set()
