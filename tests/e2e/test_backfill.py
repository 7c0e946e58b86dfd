"""A season backfill end to end, twice, through ``titlevideo.cli backfill`` (what
``make backfill SEASON=…`` runs): the emulators, a background ``airflow standalone``,
``airflow backfill create`` for both extract DAGs and one ``warehouse_build``.

The window is four days of a past season of a 400-work world, the four with the most titles
published. What each partition must hold is computed here from the catalogue itself
(``emulators.catalog.World``: the titles with a product published that day, their products and
texts) and from a fresh in-process ByteNite emulator (that day's metric rows). The second run
replaces every partition (newer files) and leaves the lake's content identical.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.request import urlopen

import duckdb
import pyarrow.parquet as pq
import pytest

import emulators.bytenite as bytenite
from emulators.catalog import World, season_of
from tests.e2e._airflow import cli, cli_env, free_port, processes_of, stop_all

pytestmark = pytest.mark.e2e

SEED = 42
WORKS = 400
DAYS = 4
#: columns that hold the wall time of an extraction or a build: they differ between runs by design
WALL_CLOCK = {"_extracted_at", "extracted_at"}


def choose_window(world: World, today: date) -> tuple[str, date, date, dict[date, list]]:
    """A fully past season; inside it the DAYS consecutive days with the most titles published."""
    season = season_of(today - timedelta(days=100))
    published: dict[date, list] = {}
    for i in range(world.works_created_by(today)):
        state = world.work_at(i, today)
        for day in {p.publication_date for p in state.products}:
            if season.start <= day <= season.end:
                published.setdefault(day, []).append(state)
    best = max(
        range((season.end - season.start).days - DAYS + 2),
        key=lambda k: (
            sum(len(published.get(season.start + timedelta(days=k + j), [])) for j in range(DAYS)),
            -k,
        ),
    )
    first = season.start + timedelta(days=best)
    last = first + timedelta(days=DAYS - 1)
    return season.name, first, last, published


def rows(path: Path) -> int:
    return pq.read_metadata(path).num_rows


def partitions(lake: Path, source: str, entity: str) -> dict[str, Path]:
    base = lake / "raw" / source / entity
    return {p.parent.name.split("=", 1)[1]: p for p in sorted(base.glob("*=*/data.parquet"))}


def lake_digest(lake: Path) -> dict[str, str]:
    """Content of every raw and quarantine partition, the manifests and the marts, without the
    wall-clock stamps; one hash per file or table."""
    from tests.harness import table_digest

    out = {}
    for path in sorted([*lake.glob("raw/**/data.parquet"), *lake.glob("quarantine/**/*.parquet")]):
        table = pq.read_table(path)
        keep = [c for c in table.column_names if c not in WALL_CLOCK]
        body = sorted(
            json.dumps(r, sort_keys=True, default=str) for r in table.select(keep).to_pylist()
        )
        out[str(path.relative_to(lake))] = hashlib.sha256("\n".join(body).encode()).hexdigest()
    for path in sorted(lake.glob("raw/**/_manifest.json")):
        manifest = json.loads(path.read_text())
        kept = {k: manifest.get(k) for k in ("source", "date", "mode", "entities", "records")}
        out[str(path.relative_to(lake))] = hashlib.sha256(
            json.dumps(kept, sort_keys=True).encode()
        ).hexdigest()
    con = duckdb.connect(str(lake / "warehouse" / "analytics.duckdb"), read_only=True)
    try:
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall():
            cols = [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() "
                    "where schema_name = 'marts' and table_name = ? order by column_index",
                    [table],
                ).fetchall()
                if c not in WALL_CLOCK
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f'select {select} from marts."{table}"').fetchall()
            # floats to 12 significant digits: equal inputs may differ in the last bits of a
            # float sum (DuckDB aggregates in parallel, in no fixed order; RELIABILITY.md)
            out[f"marts.{table}"] = table_digest(rows, cols)
    finally:
        con.close()
    return out


def airflow_db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{home / 'airflow.db'}?mode=ro", uri=True)


def max_overlap(intervals: list[tuple[str, str]]) -> int:
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    best = now = 0
    for _, step in events:
        now += step
        best = max(best, now)
    return best


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("backfill")
    home, lake = tmp / "airflow", tmp / "lake"
    env = cli_env(home, lake)
    today = datetime.now(UTC).date()  # the emulators' clock when the CLI starts them
    world = World(SEED, WORKS, go_live=today)  # served on their own, they go live that day
    season, first, last, published = choose_window(world, today)
    c_port = free_port()
    command = [
        "backfill",
        "--season",
        season,
        "--from-date",
        first.isoformat(),
        "--to-date",
        last.isoformat(),
        "--works",
        str(WORKS),
        "--seed",
        str(SEED),
        "--consonance-port",
        str(c_port),
        "--bytenite-port",
        str(free_port()),
    ]
    runs = []
    try:
        for _ in range(2):
            proc = cli(*command, env=env, timeout=600)
            assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
            mtimes = {p: p.stat().st_mtime_ns for p in lake.glob("raw/**/data.parquet")}
            with airflow_db(home) as db:
                dag_runs = db.execute(
                    "select dag_id, run_type, state, date(logical_date), start_date, end_date "
                    "from dag_run order by dag_id, logical_date"
                ).fetchall()
                backfills = db.execute(
                    "select dag_id, from_date, to_date, max_active_runs, reprocess_behavior "
                    "from backfill order by id"
                ).fetchall()
                paused = dict(db.execute("select dag_id, is_paused from dag").fetchall())
            runs.append(
                {
                    "stdout": proc.stdout,
                    "digest": lake_digest(lake),
                    "mtimes": mtimes,
                    "dag_runs": dag_runs,
                    "backfills": backfills,
                    "paused": paused,
                }
            )
        # the emulators (still running) kept the clock the expectations were computed for
        health = json.loads(
            urlopen(f"http://127.0.0.1:{c_port}/_emulator/health", timeout=10).read()
        )
        assert health["today"] == today.isoformat(), "the emulated day changed during the test"
        yield {
            "lake": lake,
            "home": home,
            "today": today,
            "world": world,
            "season": season,
            "first": first,
            "last": last,
            "published": published,
            "runs": runs,
        }
    finally:
        left = stop_all(home, env)
        assert not left, f"processes left running: {left}"
        assert not processes_of(home)


def window(b) -> list[date]:
    return [b["first"] + timedelta(days=n) for n in range(DAYS)]


def test_each_day_holds_exactly_the_titles_published_that_day(backfilled):
    b = backfilled
    lake, published = b["lake"], b["published"]
    days = window(b)
    assert sum(len(published.get(d, [])) for d in days) >= 2  # a window worth testing
    expected = {d.isoformat(): published.get(d, []) for d in days}
    works = partitions(lake, "consonance", "works")
    products = partitions(lake, "consonance", "products")
    texts = partitions(lake, "consonance", "marketing_texts")
    # exactly the window's days: a backfill run pulls its own day and nothing else
    assert sorted(works) == sorted(products) == sorted(texts) == sorted(expected)
    for day, states in expected.items():
        assert rows(works[day]) == len(states), day
        assert rows(products[day]) == sum(len(s.products) for s in states), day
        assert rows(texts[day]) == sum(len(s.marketing_texts) for s in states), day
        ids = set(pq.read_table(works[day], columns=["work_id"]).column("work_id").to_pylist())
        assert ids == {s.id for s in states}, day
    assert not (lake / "quarantine" / "consonance").exists()


def test_each_day_holds_that_days_bytenite_metrics(backfilled):
    b = backfilled
    state, _ = bytenite.create_app(seed=SEED, works=WORKS, today=b["today"], go_live=b["today"])
    metrics = partitions(b["lake"], "bytenite", "daily_metrics")
    assert sorted(metrics) == [d.isoformat() for d in window(b)]
    for day in window(b):
        answer = state.daily_metrics(
            {
                "dateRange": {"from": day.isoformat(), "to": day.isoformat()},
                "pagination": {"limit": 1},
            }
        )
        assert rows(metrics[day.isoformat()]) == answer["pagination"]["total"] > 0, day
    for entity in ("jobs", "assets", "placements"):
        assert sorted(partitions(b["lake"], "bytenite", entity)) == [
            d.isoformat() for d in window(b)
        ]


def test_the_warehouse_and_report_are_built_for_the_window_end(backfilled):
    b = backfilled
    lake, last = b["lake"], b["last"]
    con = duckdb.connect(str(lake / "warehouse" / "analytics.duckdb"), read_only=True)
    try:
        logical = con.execute("select logical_date from meta.build_info").fetchone()[0]
        titles = {r[0] for r in con.execute("select work_id from marts.dim_title").fetchall()}
        facts = dict(
            con.execute(
                "select metric_date, count(*) from marts.fct_video_daily group by 1"
            ).fetchall()
        )
    finally:
        con.close()
    assert (logical.date() if isinstance(logical, datetime) else logical) == last
    assert titles == {s.id for d in window(b) for s in b["published"].get(d, [])}
    metrics = partitions(lake, "bytenite", "daily_metrics")
    assert facts == {d: rows(metrics[d.isoformat()]) for d in window(b)}
    page = lake / "reports" / "performance" / last.isoformat() / "index.html"
    assert page.exists() and (page.parent / "plotly.min.js").exists()
    run_report = json.loads(
        (lake / "reports" / "runs" / last.isoformat() / "warehouse_build.json").read_text()
    )
    assert f"performance report: {page}" in run_report["details"]
    assert f"report      {page}" in b["runs"][0]["stdout"]


def test_backfill_runs_are_bounded_and_pauses_restored(backfilled):
    b = backfilled
    days = window(b)
    for n, run in enumerate(b["runs"], start=1):
        # backfills of the window for both extract DAGs, at the DAG's own max_active_runs (2);
        # a `backfill create` that SQLite refused ("database is locked") and the shortcut ran
        # again leaves a cancelled backfill row too, so at least one per DAG per invocation
        assert set(run["backfills"]) == {
            (dag, f"{b['first']} 00:00:00.000000", f"{b['last']} 00:00:00.000000", 2, "completed")
            for dag in ("consonance_extract", "bytenite_extract")
        }
        for dag in ("consonance_extract", "bytenite_extract"):
            assert sum(r[0] == dag for r in run["backfills"]) >= n
        for dag in ("consonance_extract", "bytenite_extract"):
            mine = [r for r in run["dag_runs"] if r[0] == dag]
            # one run per day (a rerun reprocesses it, never duplicates), all backfill runs
            assert [(r[1], r[2], r[3]) for r in mine] == [
                ("backfill", "success", d.isoformat()) for d in days
            ]
            assert max_overlap([(r[4], r[5]) for r in mine]) <= 2
        builds = [r for r in run["dag_runs"] if r[0] == "warehouse_build"]
        assert [(r[1], r[2]) for r in builds] == [("manual", "success")] * n
        # nothing else ran: no daily run, no asset-triggered build, no sync
        assert {r[0] for r in run["dag_runs"]} == {
            "consonance_extract",
            "bytenite_extract",
            "warehouse_build",
        }
        # the DAGs were paused before (new DAGs start paused) and are paused again
        assert run["paused"] == {
            dag: 1
            for dag in (
                "bytenite_extract",
                "bytenite_sync",
                "consonance_extract",
                "consonance_sync",
                "warehouse_build",
            )
        }


def test_a_second_backfill_replaces_the_partitions_and_leaves_the_lake_identical(backfilled):
    first, second = backfilled["runs"]
    assert first["digest"] == second["digest"]
    assert len(first["digest"]) > 40
    # every partition was written again (replaced, not skipped)
    assert first["mtimes"].keys() == second["mtimes"].keys()
    assert all(second["mtimes"][p] > first["mtimes"][p] for p in first["mtimes"])


# ---- the season window ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def consonance():
    from emulators.common import ServerThread
    from emulators.consonance import DEFAULT_API_KEY, create_app
    from titlevideo.connections import Endpoint
    from titlevideo.consonance.client import ConsonanceClient

    today = date(2026, 11, 27)
    _, app = create_app(seed=SEED, works=WORKS, today=today)
    with ServerThread(app) as server:
        yield ConsonanceClient(Endpoint("consonance_default", server.url, DEFAULT_API_KEY)), today


def test_the_season_window_comes_from_consonance_seasons(consonance):
    from titlevideo.local.backfill import resolve_season

    client, _ = consonance
    window = resolve_season(client, "  spring   2026 ")
    assert (window.name, window.start, window.end) == (
        "Spring 2026",
        date(2026, 3, 1),
        date(2026, 5, 31),
    )
    assert window.source == "Consonance seasons"
    with pytest.raises(SystemExit, match="knows no season 'Spring 2036'"):
        resolve_season(client, "Spring 2036")


def test_without_a_seasons_api_the_window_is_the_seasons_publication_dates(consonance):
    """The real Consonance may not have the (guessed) ``seasons`` root: the window is then the
    first and last publication date of the works in that season."""
    from titlevideo.consonance.client import GraphQLError
    from titlevideo.local.backfill import resolve_season

    client, today = consonance

    class NoSeasonsRoot:
        def execute(self, query, variables=None, operation=None):
            if "seasons" in query:
                raise GraphQLError(
                    "Consonance", "/graphql", 200, "Field 'seasons' doesn't exist on type 'Query'"
                )
            return client.execute(query, variables, operation)

        def pages(self, *args, **kwargs):
            return client.pages(*args, **kwargs)

    world = World(SEED, WORKS)
    states = [world.work_at(i, today) for i in range(world.works_created_by(today))]
    # a work belongs to the season of its first publication
    firsts = {
        s.id: min((p.publication_date for p in s.products), default=s.spec.first_pub_date)
        for s in states
    }
    members = [s for s in states if season_of(firsts[s.id]).name == "Summer 2026"]
    dated = [firsts[s.id] for s in members if s.products]
    window = resolve_season(NoSeasonsRoot(), "Summer 2026")
    assert (window.start, window.end) == (min(dated), max(dated))
    assert window.start >= date(2026, 6, 1) and window.end <= date(2026, 8, 31)
    assert window.source == f"first publication dates of its {len(members)} works (no seasons API)"


def test_the_window_is_narrowed_and_never_reaches_today():
    from titlevideo.local.backfill import SeasonWindow, backfill_window

    spring = SeasonWindow("Spring 2026", date(2026, 3, 1), date(2026, 5, 31), "test")
    assert backfill_window(spring, date(2026, 11, 27), None, None)[:2] == (
        date(2026, 3, 1),
        date(2026, 5, 31),
    )
    assert backfill_window(spring, date(2026, 11, 27), date(2026, 4, 2), date(2026, 4, 5))[:2] == (
        date(2026, 4, 2),
        date(2026, 4, 5),
    )
    first, last, notes = backfill_window(spring, date(2026, 4, 10), None, None)
    assert (first, last) == (date(2026, 3, 1), date(2026, 4, 9))
    assert notes == ["stops at 2026-04-09: later days are not over yet (today is 2026-04-10)"]
    with pytest.raises(SystemExit, match="outside Spring 2026"):
        backfill_window(spring, date(2026, 11, 27), date(2026, 6, 1), None)
    with pytest.raises(SystemExit, match="no finished day"):
        backfill_window(spring, date(2026, 3, 1), None, None)
