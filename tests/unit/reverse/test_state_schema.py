"""The sync state's schema version: a new file is current, release 0.1.0's is migrated keeping
every row, a newer one is refused and left as it is."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from titlevideo.config import ConfigError
from titlevideo.reverse.state import StateStore

pytestmark = pytest.mark.unit

#: release 0.1.0's state file, as it wrote it (tests/fixtures/upgrade: one day's cycle)
FROZEN = Path(__file__).resolve().parents[2] / "fixtures/upgrade/release-0.1.0/lake/state/sync.sql"
TABLES = ("sync_state", "sync_runs", "sync_plan", "sync_log", "sync_inflight")


def _old(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.executescript(FROZEN.read_text())
    con.close()
    return path


def _read(path: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _dump(path: Path) -> dict[str, list[str]]:
    return {t: sorted(map(repr, _read(path, f"select * from {t}"))) for t in TABLES}


def test_a_new_file_is_of_the_current_schema(tmp_path: Path) -> None:
    StateStore(tmp_path / "sync.sqlite").close()
    assert _read(tmp_path / "sync.sqlite", "pragma user_version") == [(2,)]
    assert _read(tmp_path / "sync.sqlite", "select count(*) from schema_history") == [(0,)]


def test_release_0_1_0s_file_is_migrated_once_and_keeps_every_row(tmp_path: Path) -> None:
    path = _old(tmp_path / "sync.sqlite")
    assert _read(path, "pragma user_version") == [(0,)]
    before = _dump(path)
    assert len(before["sync_state"]) > 100 and len(before["sync_log"]) > 100
    StateStore(path).close()
    StateStore(path).close()  # again: nothing more to do
    assert _read(path, "pragma user_version") == [(2,)]
    assert _read(path, "select from_version, to_version from schema_history") == [(1, 2)]
    assert _dump(path) == before


def test_a_sync_opening_it_while_another_migrates_it_waits(tmp_path: Path) -> None:
    """The race CI saw under load, made certain: while one sync holds the migrating (write)
    transaction on a rollback-mode file, another one's switch to WAL is refused by SQLite at once,
    without its busy handler ('database is locked'). The opening must wait and go on."""
    path = _old(tmp_path / "sync.sqlite")
    migrating = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    migrating.execute("begin immediate")
    migrating.execute("create table held (x)")
    done = threading.Timer(0.3, lambda: migrating.execute("commit"))
    done.start()
    try:
        StateStore(path).close()
    finally:
        done.join()
        migrating.close()
    assert _read(path, "pragma journal_mode") == [("wal",)]
    assert _read(path, "select from_version, to_version from schema_history") == [(1, 2)]


def test_two_syncs_opening_it_at_once_migrate_it_once(tmp_path: Path) -> None:
    """Six syncs open a rollback-mode file of release 0.1.0 at once: one migrates it."""
    path = _old(tmp_path / "sync.sqlite")
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_it() -> None:
        try:
            start.wait()
            StateStore(path).close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _read(path, "select from_version, to_version from schema_history") == [(1, 2)]
    assert _read(path, "pragma journal_mode") == [("wal",)]


def test_a_newer_file_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "sync.sqlite"
    StateStore(path).close()
    con = sqlite3.connect(path)
    con.execute("insert into schema_history values (2, 3, '0.4.0', '2027-01-01')")
    con.commit()
    con.execute("pragma user_version = 3")
    con.close()
    before = path.read_bytes()
    with pytest.raises(ConfigError) as refused:
        StateStore(path)
    text = str(refused.value)
    assert f"The sync state {path} is in format 3 (written by release 0.4.0)" in text
    assert "knows formats up to 2" in text and "Downgrading is not supported" in text
    assert path.read_bytes() == before
