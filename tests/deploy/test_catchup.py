"""Issue 14 §2: the scheduler alone runs a week of daily intervals on the production stack.

One scenario for the module (the stack costs a minute and a half to start, a week of cycles a few
more): the local stack of `make deploy` (PostgreSQL metadata, CeleryExecutor on Redis, two workers)
with ``TITLEVIDEO_SCHEDULE_START`` a week back and every DAG unpaused; nothing is triggered, the
scheduler catches up the seven daily intervals by itself, and the asset events start the builds and
the syncs. While it does, a worker is killed with SIGKILL in the middle of one of the first
Consonance extractions (the whole catalogue), and later the worker running the first ByteNite sync,
the one that writes to ByteNite, in the middle of its writes (each kept down until its task was
retried on the other worker, then started again, as a host that comes back). So that the kills land
mid-task on any machine, the emulator the task talks to answers late while the task is hunted (see
_kill_an_extraction, _kill_the_first_sync). Meanwhile the same seven days go through `make run`'s
``airflow dags test`` path against a second, identical pair of emulators. The tests then read what
happened through the REST API, the emulators' write logs, the lakes, the warehouses and the sync
state.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.stackutil import (
    ROOT,
    Reference,
    consumed_events,
    last_read,
    lineage_differences,
    plain_env,
    tries,
    wait_until,
    warehouse_diff,
)
from tests.harness import (
    REMOTE_WRITE_TIMES,
    WALL_CLOCK_COLUMNS,
    Emulators,
    bytenite_state,
    consonance_state,
    ok_writes,
    raw_digest,
    repeated,
    sync_state,
    warehouse_digest,
)
from titlevideo.connections import connection_json
from titlevideo.dagkit import RAW_BYTENITE, RAW_CONSONANCE
from titlevideo.local.airflow import free_port
from titlevideo.local.deploy import (
    DAGS,
    EXTRACTS,
    WORKERS,
    Settings,
    Stack,
    processes_of,
    queued_events,
    quiet,
    runs,
    task_instances,
)
from titlevideo.local.emulators import EMULATORS

#: the whole scenario runs in the module's fixture: a week of cycles twice, two worker kills
pytestmark = [pytest.mark.deploy, pytest.mark.timeout(3600)]

SEED, WORKS = 11, 200
DAYS = 7
#: Seconds without a heartbeat before the scheduler fails a running task (300 by default; short
#: here so a killed worker's task is retried within the test).
HEARTBEAT_TIMEOUT = 60
#: Seconds each request to an emulator is held while a task to kill is hunted (see
#: _kill_an_extraction, _kill_the_first_sync): the first Consonance extraction makes a handful of
#: requests, the first ByteNite sync ~300 writes (later days' syncs none).
CONSONANCE_SLOW, BYTENITE_SLOW = 3.0, 2.0
#: The API server's page limit in this stack (100 by default)
PAGE_LIMIT = 20


def connections(e: Emulators) -> dict[str, str]:
    from emulators.bytenite import DEFAULT_API_KEY as BYTENITE_KEY
    from emulators.consonance import DEFAULT_API_KEY as CONSONANCE_KEY

    wps = {name: spec.writes_per_second for name, spec in EMULATORS.items()}
    return {
        "AIRFLOW_CONN_CONSONANCE_DEFAULT": connection_json(
            e.consonance.url, CONSONANCE_KEY, writes_per_second=wps["consonance"]
        ),
        "AIRFLOW_CONN_BYTENITE_DEFAULT": connection_json(
            e.bytenite.url, BYTENITE_KEY, writes_per_second=wps["bytenite"]
        ),
    }


@dataclass
class Kill:
    """One worker killed while it ran ``dag_id.task_id`` of ``run_id``."""

    dag_id: str
    task_id: str
    run_id: str = ""
    worker: str = ""
    at: float = 0.0
    ti: dict[str, Any] = field(default_factory=dict)
    restarted: bool = False


@dataclass
class CatchUp:
    days: list[date]
    today: date
    stack: Settings
    emulators: Emulators
    reference: Emulators
    reference_lake: Path
    runs: dict[str, list[dict[str, Any]]]
    tis: list[dict[str, Any]]
    tries: dict[tuple[str, str, str], list[dict[str, Any]]]
    consumed: dict[tuple[str, str], list[dict[str, Any]]]
    kills: list[Kill]
    left: list[tuple[int, str]]
    down_output: str
    seconds: dict[str, float]
    reference_timings: list[dict[str, Any]]
    #: end states (see :func:`snapshot`) after the catch-up and after the last day's re-run,
    #: of the stack and of the `make run` path
    before: dict[str, Any]
    settled: dict[str, Any]
    reference_before: dict[str, Any]
    reference_settled: dict[str, Any]
    #: asset events waiting, by consuming DAG, when the catch-up was over
    pending: dict[str, list[dict[str, Any]]]


def caught_up(api: Any) -> bool:
    """Every day extracted by both extract DAGs and no run queued or running. (Asset events may
    still wait: a build needs an event of both extractions, and the last days of the one that
    ran ahead wait for the other's next one.)"""
    return quiet(api, DAYS, events=False)


def _waiting_extractions(api: Any, events: list[dict[str, Any]]) -> set[str]:
    """The extract DAGs whose asset events wait for a build (by the waiting assets' names)."""
    producer = {RAW_CONSONANCE: "consonance_extract", RAW_BYTENITE: "bytenite_extract"}
    names = {api.call("GET", f"assets/{ev['asset_id']}")["name"] for ev in events}
    return {producer[name] for name in names}


def _rerun(api: Any, run: dict[str, Any]) -> None:
    """Clear an extract run's tasks and wait for the scheduler to run it again to success."""
    api.call(
        "POST",
        f"dags/{run['dag_id']}/clearTaskInstances",
        json={"dag_run_id": run["dag_run_id"], "only_failed": False, "dry_run": False},
    )
    wait_until(
        lambda: api.run_state(run["dag_id"], run["dag_run_id"]) != "success",
        60,
        f"the cleared {run['dag_id']} run to start",
        every=0.5,
    )
    wait_until(
        lambda: api.run_state(run["dag_id"], run["dag_run_id"]) == "success",
        900,
        f"the re-run of {run['dag_id']} for the last day",
    )


def _ti_running(
    api: Any, dag_id: str, task_id: str, run_id: str | None, skip: set[str]
) -> dict[str, Any] | None:
    for ti in task_instances(api):
        if (ti["dag_id"], ti["task_id"]) != (dag_id, task_id) or ti["state"] != "running":
            continue
        if (run_id and ti["dag_run_id"] != run_id) or ti["dag_run_id"] in skip:
            continue
        if ti["try_number"] == 1 and ti.get("hostname"):
            return ti
    return None


def _ti_now(api: Any, ti: dict[str, Any]) -> dict[str, Any]:
    """The task instance ``ti`` as the API shows it now."""
    key = (ti["dag_id"], ti["task_id"], ti["dag_run_id"])
    return next(
        t for t in task_instances(api) if (t["dag_id"], t["task_id"], t["dag_run_id"]) == key
    )


def _worker_of(hostname: str) -> str:
    name = hostname.split(".", 1)[0]
    assert name in WORKERS, hostname
    return name


def _slow(e: Emulators, system: str, seconds: float | None) -> None:
    """Make every API request to one emulator answer ``seconds`` late (None: on time again)."""
    late = {"slow": 1.0, "slow_seconds": seconds} if seconds else None
    e.set_faults("none", late, systems=(system,))


def _kill(stack: Stack, api: Any, kill: Kill, ti: dict[str, Any]) -> bool:
    """SIGKILL the worker running ``ti``; False if the task had finished just before (its state
    is already ``success``: the kill came too late and the worker is started again)."""
    kill.run_id, kill.ti, kill.worker = ti["dag_run_id"], ti, _worker_of(ti["hostname"])
    kill.at = time.time()
    stack.kill_worker(kill.worker)
    if _ti_now(api, ti)["state"] != "success":
        return True
    stack.start_worker(kill.worker)
    return False


def _retry(api: Any, kill: Kill) -> dict[str, Any] | None:
    """The killed task instance once its second try runs (or has ended)."""
    now = _ti_now(api, kill.ti)
    ran = now["try_number"] >= 2 and now["state"] in ("running", "success", "failed")
    return now if ran else None


def _kill_an_extraction(stack: Stack, api: Any, kill: Kill, e: Emulators, deadline: float) -> None:
    """Kill the worker of one of the first Consonance extractions (the whole catalogue) once it
    is surely mid-way. Consonance answers every request CONSONANCE_SLOW seconds late from before
    the first one until the kill, so once two requests have reached it since the task was seen
    running, the task still has seconds of work left. One that ended first is passed over."""
    skip: set[str] = set()
    try:
        while True:
            ti = wait_until(
                lambda: _ti_running(api, kill.dag_id, kill.task_id, None, skip),
                deadline - time.monotonic(),
                f"{kill.dag_id}.{kill.task_id} running",
                every=0.5,
            )
            skip.add(ti["dag_run_id"])
            start = e.stats("consonance").get("requests", 0)

            def mid_way_or_over(ti: dict[str, Any] = ti, start: int = start) -> str | None:
                if e.stats("consonance").get("requests", 0) - start >= 2:
                    return "mid-way"
                return None if _ti_now(api, ti)["state"] == "running" else "over"

            found = wait_until(mid_way_or_over, 300, "the extraction mid-way", 0.2)
            if found == "mid-way" and _kill(stack, api, kill, ti):
                return
    finally:
        _slow(e, "consonance", None)


def _kill_the_first_sync(
    stack: Stack, api: Any, extraction: Kill, sync: Kill, e: Emulators, deadline: float
) -> None:
    """Bring the killed extraction's worker back once its task's second try runs on the other
    worker; kill the worker of the first ByteNite sync (the only one that writes to ByteNite)
    mid-way, once the extraction's retry has succeeded (so it is not killed too); keep that
    worker down until the sync's second try runs, then start it again.

    The first sync may start while a worker is still down (the other one builds and syncs on
    its own during the extraction's retry wait: heartbeat timeout and retry delay, two minutes
    or more). From the moment it is seen running, ByteNite answers every request BYTENITE_SLOW
    seconds late: its ~300 writes then take ten minutes, so it is still writing when the
    extraction's retry is over, on any machine. ByteNite is on time again from the kill."""
    hunted: dict[str, Any] | None = None
    start = 0
    try:
        while True:
            assert time.monotonic() < deadline, "timed out hunting the first ByteNite sync"
            retry = _retry(api, extraction)
            if retry and not extraction.restarted:
                stack.start_worker(extraction.worker)
                extraction.restarted = True
            if hunted is None:
                hunted = _ti_running(api, sync.dag_id, sync.task_id, None, set())
                if hunted:
                    _slow(e, "bytenite", BYTENITE_SLOW)
                    start = len(e.writes("bytenite"))
            elif (
                retry
                and retry["state"] == "success"
                and extraction.restarted
                and len(e.writes("bytenite")) - start >= 3
            ):
                # later syncs write nothing to ByteNite: this one is the case or there is none
                assert _kill(stack, api, sync, hunted), "the first sync ended before its kill"
                break
            else:
                assert _ti_now(api, hunted)["state"] == "running", (
                    "the first ByteNite sync ended before the extraction's retry was over",
                    hunted,
                )
            time.sleep(0.5)
    finally:
        _slow(e, "bytenite", None)
    wait_until(lambda: _retry(api, sync), HEARTBEAT_TIMEOUT + 300, "the killed sync's retry", 2)
    stack.start_worker(sync.worker)
    sync.restarted = True


@pytest.fixture(scope="module")
def catchup(backing, airflow_db, tmp_path_factory) -> CatchUp:
    base = tmp_path_factory.mktemp("catchup")
    today = datetime.now(UTC).date()
    first = today - timedelta(days=DAYS)
    days = [first + timedelta(days=i) for i in range(DAYS)]
    e = Emulators(seed=SEED, works=WORKS, today=today)
    r = Emulators(seed=SEED, works=WORKS, today=today)
    seconds: dict[str, float] = {}
    reference_lake = base / "reference-lake"
    reference = Reference(
        {**airflow_db, **connections(r), "LAKE_ROOT": str(reference_lake)},
        days,
        base / "reference.log",
    )
    settings = Settings(
        home=base / "stack",
        lake=base / "lake",
        postgres_url=backing["postgres_url"],
        database=backing["database"],
        redis_url=backing["redis_url"],
        port=free_port(),
        connections=connections(e),
        schedule_start=first.isoformat(),
        overrides={
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT),
            # below the week's ~65 task instances, so every list read here goes page by page
            "AIRFLOW__API__MAXIMUM_PAGE_LIMIT": str(PAGE_LIMIT),
        },
    )
    stack = Stack(settings)
    try:
        started = time.monotonic()
        stack.up()
        seconds["up"] = time.monotonic() - started
        reference.start()  # alongside the catch-up: both on the same two cores
        api = stack.api()
        started = time.monotonic()
        _slow(e, "consonance", CONSONANCE_SLOW)  # before the first extraction's first request
        for dag_id in DAGS:
            api.set_paused(dag_id, False)
        deadline = time.monotonic() + 2400
        # 1. one of the first Consonance extractions (the whole catalogue), a few requests in;
        # 2. the first ByteNite sync while its writes go out
        extraction = Kill("consonance_extract", "extract")
        _kill_an_extraction(stack, api, extraction, e, deadline)
        sync = Kill("bytenite_sync", "sync")
        _kill_the_first_sync(stack, api, extraction, sync, e, deadline)
        wait_until(lambda: caught_up(api), deadline - time.monotonic(), "the catch-up to finish")
        time.sleep(20)  # nothing may start after a quiet moment
        wait_until(lambda: caught_up(api), 120, "the catch-up to stay finished")
        seconds["catch-up"] = time.monotonic() - started
        pending = {d: queued_events(api, d) for d in DAGS[2:]}
        before = snapshot(e, settings.lake)
        # 2. the last day once more, as an operator re-runs a day: its two extract runs cleared,
        # the scheduler runs them again and the asset events do the rest.
        started = time.monotonic()
        last_runs = {
            r["dag_id"]: r for d in EXTRACTS for r in runs(api, d) if _interval_day(r) == days[-1]
        }
        # Under `make run` the last day's first pass was built and synced before the day ran
        # again, so its second extractions read what that sync wrote. Here the last build may
        # have left one extraction's last days waiting for the other's next event (the
        # production story: the next day's run builds them). Give them that event first (the
        # other extraction's last day once more), so they are built and synced as well.
        waiting = _waiting_extractions(api, pending["warehouse_build"])
        if waiting:
            (other,) = set(EXTRACTS) - waiting
            _rerun(api, last_runs[other])
            wait_until(lambda: quiet(api, DAYS), 1200, "the waiting days' build and syncs")
        # Then both, one at a time: cleared together, one re-run could finish first and start a
        # build alone, and the other's event would then wait for a next day that never comes.
        for dag_id in EXTRACTS:
            _rerun(api, last_runs[dag_id])
        wait_until(lambda: quiet(api, DAYS), 1200, "the re-run of the last day")
        time.sleep(20)
        wait_until(lambda: quiet(api, DAYS), 120, "the re-run to stay finished")
        seconds["last day again"] = time.monotonic() - started
        found = {dag_id: runs(api, dag_id) for dag_id in DAGS}
        tis = task_instances(api)
        all_tries = {(t["dag_id"], t["task_id"], t["dag_run_id"]): tries(api, t) for t in tis}
        consumed = {
            (dag_id, run["dag_run_id"]): consumed_events(api, dag_id, run["dag_run_id"])
            for dag_id in DAGS[2:]
            for run in found[dag_id]
        }
        settled = snapshot(e, settings.lake)
    finally:
        down = subprocess.run(
            [sys.executable, "-m", "titlevideo.local.deploy", "down"],
            env={
                **plain_env(),
                "DEPLOY_HOME": str(settings.home),
                "TITLEVIDEO_AIRFLOW_DB": settings.database,
            },
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        left = processes_of(settings.home)
        stack.down(quiet=True)  # whatever the command left (asserted on below)
    started = time.monotonic()
    timings = reference.wait()
    seconds["reference after the catch-up"] = time.monotonic() - started
    reference_before = snapshot(r, reference_lake)
    again = Reference(reference.env, [days[-1]], base / "reference-again.log").start()
    timings += again.wait()
    reference_settled = snapshot(r, reference_lake)
    yield CatchUp(
        days=days,
        today=today,
        stack=settings,
        emulators=e,
        reference=r,
        reference_lake=reference_lake,
        runs=found,
        tis=tis,
        tries=all_tries,
        consumed=consumed,
        kills=[extraction, sync],
        left=left,
        down_output=down.stdout + down.stderr,
        seconds=seconds,
        reference_timings=timings,
        before=before,
        pending=pending,
        settled=settled,
        reference_before=reference_before,
        reference_settled=reference_settled,
    )
    e.stop()
    r.stop()


#: What the two worlds assign themselves when a write is applied, so never equal between the
#: paths: the times (REMOTE_WRITE_TIMES), ByteNite's random placement ids and the ids of the
#: summaries Consonance creates (the two paths create them in another order). The remote
#: objects themselves are compared by their content (bytenite_state, consonance_state).
REMOTE_ASSIGNED = REMOTE_WRITE_TIMES | {"placement_id", "marketing_text_id"}
#: warehouse columns that hold such ids inside JSON (the observed summary, a placement's context)
REMOTE_ASSIGNED_IN_JSON = frozenset({"observed_json", "context_json"})


def snapshot(e: Emulators, lake: Path) -> dict[str, Any]:
    """What a path leaves: the lake's raw partitions and the warehouse tables by content hash
    (without wall-clock and remotely assigned values), both systems as a person reads them, the
    writes they accepted, the sync state."""
    return {
        "raw": raw_digest(lake / "raw", WALL_CLOCK_COLUMNS | REMOTE_ASSIGNED),
        "warehouse": warehouse_digest(
            lake / "warehouse" / "analytics.duckdb",
            WALL_CLOCK_COLUMNS | REMOTE_ASSIGNED | REMOTE_ASSIGNED_IN_JSON,
        ),
        "bytenite": bytenite_state(e),
        "consonance": consonance_state(e),
        "writes": {system: ok_writes(e, system) for system in ("bytenite", "consonance")},
        "sync_state": sync_state(lake),
    }


def _interval_day(run: dict[str, Any]) -> date:
    return date.fromisoformat(run["data_interval_start"][:10])


# --------------------------------------------------------------------------------------------
# What the scheduler did
# --------------------------------------------------------------------------------------------


def test_the_scheduler_ran_each_day_once_for_both_extractions(catchup: CatchUp) -> None:
    for dag_id in EXTRACTS:
        found = catchup.runs[dag_id]
        assert [r["run_type"] for r in found] == ["scheduled"] * DAYS, dag_id
        assert sorted(_interval_day(r) for r in found) == catchup.days, dag_id
        assert all(r["state"] == "success" for r in found), dag_id
        # each interval extracted once: one run per day, and its one extraction report
        for day in catchup.days:
            report = catchup.stack.lake / "reports" / "runs" / day.isoformat() / f"{dag_id}.json"
            assert report.exists(), report


def test_builds_ran_on_the_asset_events_and_consumed_every_one(catchup: CatchUp) -> None:
    builds = catchup.runs["warehouse_build"]
    assert builds and all(r["run_type"] == "asset_triggered" for r in builds)
    assert all(r["state"] == "success" for r in builds)
    events = [
        ev for run in builds for ev in catchup.consumed[("warehouse_build", run["dag_run_id"])]
    ]
    # no event started two builds, and every extract run's event started (or joined) one
    assert len({ev["id"] for ev in events}) == len(events)
    consumed = {(ev["source_dag_id"], ev["source_run_id"]) for ev in events}
    produced = {(d, r["dag_run_id"]) for d in EXTRACTS for r in catchup.runs[d]}
    assert consumed == produced


def test_what_waited_after_the_catch_up_was_one_extractions_last_days(catchup: CatchUp) -> None:
    """A build needs an event of both extractions. When one extract DAG finished its last days
    after the last build had taken the other's events, those days wait for the other's next
    event (the next day's run; here the last day run again), then build; nothing else waits."""
    assert not catchup.pending["bytenite_sync"] and not catchup.pending["consonance_sync"]
    assert len({ev["asset_id"] for ev in catchup.pending["warehouse_build"]}) <= 1


def _followers(catchup: CatchUp, run: dict[str, Any], consumer: str) -> list[dict[str, Any]]:
    """The runs of ``consumer`` that consumed the asset event of ``run``."""
    return [
        r
        for r in catchup.runs[consumer]
        if any(
            ev["source_run_id"] == run["dag_run_id"]
            for ev in catchup.consumed[(consumer, r["dag_run_id"])]
        )
    ]


def test_each_build_was_followed_by_bytenite_sync_then_consonance_sync(catchup: CatchUp) -> None:
    builds = catchup.runs["warehouse_build"]
    syncs = catchup.runs["bytenite_sync"]
    links = catchup.runs["consonance_sync"]
    assert all(r["state"] == "success" for r in syncs + links)
    ended = {(t["dag_id"], t["task_id"], t["dag_run_id"]): t["end_date"] for t in catchup.tis}
    # every build's warehouse event (task `build`) went to one ByteNite sync that started after
    # it, and every ByteNite sync's announcement (task `announce`) to one Consonance sync after it
    for producer, task, consumer in (
        (builds, "build", "bytenite_sync"),
        (syncs, "announce", "consonance_sync"),
    ):
        for run in producer:
            after = _followers(catchup, run, consumer)
            assert len(after) == 1, (consumer, run["dag_run_id"])
            emitted = ended[(run["dag_id"], task, run["dag_run_id"])]
            assert after[0]["start_date"] > emitted, (consumer, run["dag_run_id"])
    # the last thing to happen is a Consonance sync after the last build
    last_build = ended[("warehouse_build", "build", builds[-1]["dag_run_id"])]
    assert links[-1]["start_date"] > last_build


def test_tasks_ran_on_both_workers(catchup: CatchUp) -> None:
    workers = {_worker_of(t["hostname"]) for t in catchup.tis if t.get("hostname")}
    assert workers == set(WORKERS)


def test_no_task_failed_stayed_queued_or_was_left_a_zombie(catchup: CatchUp) -> None:
    # read page by page (the server answers PAGE_LIMIT at most): every one, none twice
    assert len(catchup.tis) > PAGE_LIMIT
    assert len({t["id"] for t in catchup.tis}) == len(catchup.tis)
    states = {(t["dag_id"], t["task_id"], t["dag_run_id"]): t["state"] for t in catchup.tis}
    assert set(states.values()) == {"success"}, {k: s for k, s in states.items() if s != "success"}
    # an earlier try is one a killed worker was running (failed by the scheduler when its
    # heartbeats stopped), or a success of the last day before that day was run again
    killed_workers = {k.worker for k in catchup.kills}
    last = catchup.days[-1]
    for key, found in catchup.tries.items():
        for attempt in found[:-1]:
            if attempt["state"] == "success":
                run = next(r for r in catchup.runs[key[0]] if r["dag_run_id"] == key[2])
                assert key[0] in EXTRACTS and _interval_day(run) == last, key
                continue
            assert attempt["state"] == "failed", (key, attempt["state"])
            assert _worker_of(attempt["hostname"]) in killed_workers, (key, attempt["hostname"])


@pytest.mark.parametrize("which", [0, 1], ids=["extraction", "sync"])
def test_a_task_of_a_killed_worker_was_retried_on_the_other_worker(
    catchup: CatchUp, which: int
) -> None:
    kill = catchup.kills[which]
    found = catchup.tries[(kill.dag_id, kill.task_id, kill.run_id)]
    assert [t["try_number"] for t in found] == [1, 2]
    assert [t["state"] for t in found] == ["failed", "success"]
    assert _worker_of(found[0]["hostname"]) == kill.worker
    assert _worker_of(found[1]["hostname"]) != kill.worker
    assert kill.restarted


def test_make_deploy_stop_left_no_process(catchup: CatchUp) -> None:
    assert catchup.left == [], catchup.down_output
    assert "no process of it is left" in catchup.down_output


# --------------------------------------------------------------------------------------------
# The end state, against the `make run` path of the same days
# --------------------------------------------------------------------------------------------


def _metrics(raw: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in raw.items() if k.startswith("bytenite/daily_metrics/")}


def test_the_daily_metrics_equal_the_make_run_paths(catchup: CatchUp) -> None:
    mine = _metrics(catchup.before["raw"])
    assert len(mine) >= DAYS
    assert mine == _metrics(catchup.reference_before["raw"])
    assert _metrics(catchup.settled["raw"]) == _metrics(catchup.reference_settled["raw"])


@pytest.mark.parametrize("part", ["bytenite", "consonance", "sync_state"])
def test_both_systems_and_the_sync_state_equal_the_make_run_paths(
    catchup: CatchUp, part: str
) -> None:
    """What the pipeline wrote converges whatever the order (coalesced builds, extractions ahead
    of the syncs, two killed workers), once the last day has run again on both paths."""
    assert catchup.settled[part] == catchup.reference_settled[part]


def test_the_make_run_path_writes_nothing_when_a_day_runs_again(catchup: CatchUp) -> None:
    assert catchup.reference_settled["writes"] == catchup.reference_before["writes"]


@pytest.mark.parametrize("system", ["bytenite", "consonance"])
def test_no_write_was_applied_twice(catchup: CatchUp, system: str) -> None:
    """An accepted write (operation, target, payload) made more than once by the stack was made
    as often by the make run path (a value set back and forth on different days), never because
    a killed worker's task was retried."""
    mine = catchup.settled["writes"][system]
    reference = catchup.reference_settled["writes"][system]
    assert mine, "no write at all: the syncs did not run"
    twice = {k: n for k, n in repeated(mine).items() if n > reference.get(k, 1)}
    assert twice == {}


def test_where_the_lakes_differ_it_is_what_the_systems_held_when_a_day_was_extracted(
    catchup: CatchUp,
) -> None:
    """The one legitimate difference. In a catch-up the extractions run ahead of the syncs (two
    days at a time, a build only between them), so a day's snapshot of ByteNite (jobs, assets,
    placements) and its Consonance extraction (works changed since the day before: the
    pipeline's own links and summaries change them) hold what the systems held at that moment,
    which under `make run` came one cycle of write-back later; the first days may both find no
    earlier extraction and pull the whole catalogue. Never the metrics, never the last day's
    partitions once that day ran again, never a partition on one side only."""
    mine, reference = catchup.settled["raw"], catchup.reference_settled["raw"]
    assert set(mine) == set(reference)
    differing = sorted(k for k in mine if mine[k] != reference[k])
    last = catchup.days[-1].isoformat()
    for path in differing:
        source, entity, partition = path.split("/")[:3]
        key, day = partition.split("=")
        assert (source, key) in (("bytenite", "snapshot_on"), ("consonance", "extracted_on")), path
        assert day != last, path


#: The Consonance staging tables keep, for each work, its version from the extraction that ran
#: last (by wall time, ``_extracted_at``) and say which day's partition that was (``extracted_on``).
CONSONANCE_STAGING = frozenset(
    f"staging.stg_consonance__{e}" for e in ("works", "products", "marketing_texts", "web_links")
)
LINEAGE = "extracted_on"


def test_the_warehouse_equals_the_make_run_paths_but_where_a_consonance_version_was_read(
    catchup: CatchUp,
) -> None:
    """Every table equal, marts included (floats at 12 significant digits), with one legitimate
    difference. The Consonance staging tables take each work's version from the extraction that
    ran last and name its day (``extracted_on``). Under the scheduler the days are not extracted
    in day order (two runs at a time; a killed extraction's day runs again minutes later, after
    the following days, and then the day after it may have been the full one), so a work may be
    named from another day's partition than under `make run`, which runs the days in order. Only
    ``extracted_on`` may differ, only in those four tables, and on each path only as that path's
    own lake says: the day whose partition holding the work was extracted last."""
    drop = WALL_CLOCK_COLUMNS | REMOTE_ASSIGNED | REMOTE_ASSIGNED_IN_JSON
    mine_wh = catchup.stack.lake / "warehouse" / "analytics.duckdb"
    theirs_wh = catchup.reference_lake / "warehouse" / "analytics.duckdb"
    mine, theirs = catchup.settled["warehouse"], catchup.reference_settled["warehouse"]
    assert set(mine) == set(theirs)
    assert any(t.startswith("marts.") for t in mine), sorted(mine)
    differing = sorted(t for t in mine if mine[t] != theirs[t])
    assert set(differing) <= CONSONANCE_STAGING, warehouse_diff(
        mine_wh, theirs_wh, [t for t in differing if t not in CONSONANCE_STAGING], drop
    )
    without = drop | {LINEAGE}
    unequal = [
        t
        for t in differing
        if warehouse_digest(mine_wh, without).get(t) != warehouse_digest(theirs_wh, without).get(t)
    ]
    assert not unequal, warehouse_diff(mine_wh, theirs_wh, unequal, without)
    my_last, their_last = last_read(catchup.stack.lake), last_read(catchup.reference_lake)
    for table in differing:
        for work_id, day, their_day in lineage_differences(
            mine_wh, theirs_wh, table, drop, LINEAGE
        ):
            assert (my_last[work_id], their_last[work_id]) == (day, their_day), (table, work_id)
