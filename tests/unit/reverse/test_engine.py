"""The reverse-ETL engine against an in-memory remote (each expectation worked out by hand)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from titlevideo.reverse.engine import Engine, Op, Row, RowError, Target, decide
from titlevideo.reverse.state import StateStore
from titlevideo.transport import AuthError

pytestmark = pytest.mark.unit


class FakeRemote(Target):
    name = "things"

    def __init__(self, desired: dict[str, dict | None]):
        self.remote: dict[str, dict] = {}
        self.desired = desired
        self.fail: set[str] = set()
        self.calls: list[tuple[str, str]] = []
        self.observed_at = datetime.now(UTC) - timedelta(hours=1)

    def rows(self):
        for key in sorted(set(self.desired) | set(self.remote)):
            yield Row(key, self.desired.get(key), self.remote.get(key), self.observed_at)

    def apply(self, op: Op, calls):
        def write():
            self.calls.append((op.kind, op.row.key))
            if op.row.key in self.fail:
                raise RowError(f"{op.row.key} refused")
            if op.kind == "delete":
                del self.remote[op.row.key]
            else:
                self.remote[op.row.key] = dict(op.row.desired)
            return f"id-{op.row.key}"

        return calls(f"{op.kind} {op.row.key}", write)

    def observe(self):
        """A new extraction: what is remote now, observed now."""
        self.observed_at = datetime.now(UTC) + timedelta(seconds=1)


@pytest.fixture
def store(tmp_path):
    s = StateStore(tmp_path / "sync.sqlite")
    yield s
    s.close()


def engine(store, run="r1", dry=False, max_attempts=3):
    return Engine(store, run, writes_per_second=1000, max_attempts=max_attempts, dry_run=dry)


def test_first_run_creates_updates_and_adopts(store):
    t = FakeRemote({"a": {"v": 1}, "b": {"v": 2}, "c": {"v": 3}})
    t.remote = {"b": {"v": 0}, "c": {"v": 3}}
    result = engine(store).sync(t)
    assert result["planned"] == {
        "create": 1,
        "update": 1,
        "delete": 0,
        "adopt": 1,
        "unchanged": 0,
        "parked": 0,
    }
    assert sorted(t.calls) == [("create", "a"), ("update", "b")]
    assert result["calls"] == 2
    assert t.remote == {"a": {"v": 1}, "b": {"v": 2}, "c": {"v": 3}}


def test_rerun_without_change_makes_zero_calls_even_before_a_new_extraction(store):
    t = FakeRemote({"a": {"v": 1}})
    engine(store, "r1").sync(t)
    t.calls.clear()
    # the extraction has not run again: the observed state still lacks "a" (stale), observed before our write
    stale = FakeRemote({"a": {"v": 1}})
    stale.calls = t.calls
    result = engine(store, "r2").sync(stale)
    assert t.calls == [] and result["calls"] == 0 and result["planned"]["unchanged"] == 1


def test_dry_run_plans_but_writes_nothing(store):
    t = FakeRemote({"a": {"v": 1}})
    result = engine(store, dry=True).sync(t)
    assert result["planned"]["create"] == 1 and t.calls == [] and t.remote == {}
    plan_rows = store.con.execute("select key, op from sync_plan where run_id = 'r1'").fetchall()
    assert plan_rows == [("a", "create")]
    assert store.load("things") == {}


def test_failed_rows_keep_old_state_are_retried_then_parked(store):
    t = FakeRemote({"a": {"v": 1}, "b": {"v": 2}})
    t.fail = {"b"}
    r1 = engine(store, "r1", max_attempts=2).sync(t)
    assert r1["applied"] == {"create": 1} and r1["failed"] == 1
    state = store.load("things")
    assert (
        state["a"].status == "ok"
        and state["b"].status == "failed"
        and state["b"].payload_hash is None
    )
    t.calls.clear()
    r2 = engine(store, "r2", max_attempts=2).sync(t)  # retried once more, then parked
    assert t.calls == [("create", "b")] and r2["failed"] == 1
    assert store.load("things")["b"].status == "parked"
    t.calls.clear()
    r3 = engine(store, "r3", max_attempts=2).sync(t)
    assert t.calls == [] and r3["planned"]["parked"] == 1
    log = store.con.execute("select run_id, key, ok from sync_log order by rowid").fetchall()
    assert log == [("r1", "a", 1), ("r1", "b", 0), ("r2", "b", 0)]


def test_changed_desired_state_updates_once(store):
    t = FakeRemote({"a": {"v": 1}})
    engine(store, "r1").sync(t)
    t.desired["a"] = {"v": 9}
    t.calls.clear()
    engine(store, "r2").sync(t)
    assert t.calls == [("update", "a")]


def test_remote_drift_after_our_write_is_repaired(store):
    t = FakeRemote({"a": {"v": 1}})
    engine(store, "r1").sync(t)
    t.remote["a"] = {"v": "edited by hand"}
    t.observe()
    t.calls.clear()
    engine(store, "r2").sync(t)
    assert t.calls == [("update", "a")] and t.remote["a"] == {"v": 1}


def test_delete_once_and_not_again_on_stale_observation(store):
    t = FakeRemote({"a": None})
    t.remote = {"a": {"v": 1}}
    engine(store, "r1").sync(t)
    assert t.calls == [("delete", "a")] and t.remote == {}
    t.remote = {"a": {"v": 1}}  # the old snapshot still shows it (observed before our delete)
    t.calls.clear()
    engine(store, "r2").sync(t)
    assert t.calls == []


def test_auth_failure_stops_the_run(store):
    class Locked(FakeRemote):
        def apply(self, op, calls):
            raise AuthError("X", "POST /x", 401, "bad key")

    t = Locked({"a": {"v": 1}, "b": {"v": 2}})
    with pytest.raises(AuthError):
        engine(store).sync(t)
    assert store.load("things") == {}


@pytest.mark.parametrize(
    ("desired", "observed", "expected"),
    [
        ({"v": 1}, {"v": 1}, ("adopt", "remote already as desired")),
        ({"v": 1}, None, ("create", "not synced before")),
        ({"v": 1}, {"v": 2}, ("update", "not synced before")),
        (None, None, None),
        (None, {"v": 1}, ("delete", "no longer desired")),
    ],
)
def test_decisions_for_unsynced_rows(desired, observed, expected):
    assert decide(FakeRemote({}), Row("k", desired, observed), None) == expected
