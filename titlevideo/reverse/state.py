"""Durable sync state and per-row logs, outside the rebuilt warehouse.

One SQLite file (``<LAKE_ROOT>/state/sync.sqlite``) in WAL mode: both syncs may run at once (each
writes its own targets' rows; SQLite serialises the writes, readers never block), and it is never
rebuilt. Tables:

* ``sync_state``: per target and key, the hash of the payload last written successfully, the remote
  id, when, attempts and the last error (a failed row keeps its old hash, so it is retried);
* ``sync_runs``: one row per run and target with the plan's counts, dry-run flag and outcome;
* ``sync_plan``: every planned operation of a run (what a dry run shows);
* ``sync_log``: one row per write call made, with its result;

  (the three are per-call logs, kept for the runs of the last ``sync.log_retention_days`` days:
  :meth:`StateStore.prune_logs`, at the start of each sync)
* ``sync_inflight``: rows whose calls have started and that have not succeeded since. A row
  still listed when the next run plans was interrupted (a killed process) or failed part-way:
  its remote side is in doubt, and the engine reads it back before sending anything (see
  ``Engine.apply``).
* ``schema_history``: each migration of this file (from, to, release, when).

The file's schema version is SQLite's ``user_version`` (:data:`STATE_SCHEMA`; release 0.1.0's
files have none, 0, and are schema 1). Opening an older file migrates it in one transaction
(``begin immediate``: of two syncs starting at once, one migrates and the other waits and finds
it current); a file of a newer schema than this release knows (a downgrade) is refused before
anything is written, with :class:`StateSchemaError`.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tenacity

from titlevideo.config import ConfigError
from titlevideo.lake import downgrade_message, release

#: The state file's schema. 1: release 0.1.0's (user_version 0). 2: user_version set and
#: ``schema_history`` kept.
STATE_SCHEMA = 2

SCHEMA = """
create table if not exists sync_state (
    target text not null,
    key text not null,
    payload_hash text,
    payload_json text,
    remote_id text,
    status text not null,            -- ok | failed | parked | deleted
    attempts integer not null default 0,
    last_error text,
    synced_at text,
    updated_at text not null,
    primary key (target, key)
);
create table if not exists sync_runs (
    run_id text not null,
    target text not null,
    started_at text not null,
    finished_at text,
    dry_run integer not null,
    planned_json text,
    applied_json text,
    primary key (run_id, target)
);
create table if not exists sync_plan (
    run_id text not null,
    target text not null,
    key text not null,
    op text not null,
    reason text,
    payload_json text
);
create table if not exists sync_log (
    run_id text not null,
    target text not null,
    key text not null,
    op text not null,
    call text not null,
    ok integer not null,
    error text,
    at text not null
);
create table if not exists sync_inflight (
    target text not null,
    key text not null,
    run_id text not null,
    started_at text not null,
    primary key (target, key)
);
create index if not exists sync_log_run on sync_log (run_id, target);
create index if not exists sync_plan_run on sync_plan (run_id, target);
create table if not exists schema_history (
    from_version integer not null,
    to_version integer not null,
    release text not null,
    at text not null
);
"""


#: how long an opening or a write waits for another connection's lock, in seconds
BUSY_TIMEOUT_S = 60


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


class StateSchemaError(ConfigError):
    """The sync state file is of a newer schema than this release knows."""


def _schema_1_to_2(con: sqlite3.Connection) -> None:
    """Nothing to change in release 0.1.0's tables: the version and its history are added."""


#: step from schema N to N + 1, in order (run inside the opening transaction)
MIGRATIONS = {1: _schema_1_to_2}


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class StateRow:
    key: str
    payload_hash: str | None
    payload_json: str | None
    remote_id: str | None
    status: str
    attempts: int
    synced_at: str | None

    @property
    def payload(self) -> Any:
        return None if self.payload_json is None else json.loads(self.payload_json)


class StateStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self.con = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        self.con.execute(f"pragma busy_timeout={BUSY_TIMEOUT_S * 1000}")
        try:
            self._refuse_newer()  # before anything is written, even the journal mode
            self._to_wal()
            self.con.execute("pragma synchronous=normal")
            self._open_schema()
        except BaseException:
            self.con.close()
            raise

    def _to_wal(self) -> None:
        """Switch the file to WAL mode (a no-op once it is). The switch takes an exclusive lock, and
        SQLite answers "database is locked" at once, without its busy handler, while another
        connection reads the file: two syncs opening a new (or rollback-mode) file together saw it.
        So retry, for as long as the busy timeout."""
        for attempt in tenacity.Retrying(
            retry=tenacity.retry_if_exception(_is_locked),
            stop=tenacity.stop_after_delay(BUSY_TIMEOUT_S),
            wait=tenacity.wait_random(0.01, 0.1),
            reraise=True,
        ):
            with attempt:
                self.con.execute("pragma journal_mode=wal")

    def _version(self) -> int:
        return int(self.con.execute("pragma user_version").fetchone()[0])

    def _refuse_newer(self) -> None:
        found = self._version()
        if found <= STATE_SCHEMA:
            return
        by = None
        with contextlib.suppress(sqlite3.Error):
            row = self.con.execute(
                "select release from schema_history order by rowid desc limit 1"
            ).fetchone()
            by = row[0] if row else None
        raise StateSchemaError(
            downgrade_message(f"The sync state {self.path}", found, STATE_SCHEMA, by)
        )

    def _open_schema(self) -> None:
        """Create the tables of a new file, or migrate an older one, in one transaction."""
        with self._transaction():
            self._refuse_newer()  # again under the lock: a newer release may have opened it
            found = self._version()
            if found == STATE_SCHEMA:
                return
            old = found or (1 if self._has_table("sync_state") else 0)
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.con.execute(statement)
            for step in range(old, STATE_SCHEMA) if old else ():
                MIGRATIONS[step](self.con)
                self.con.execute(
                    "insert into schema_history (from_version, to_version, release, at) "
                    "values (?, ?, ?, ?)",
                    (step, step + 1, release(), _now()),
                )
            self.con.execute(f"pragma user_version = {STATE_SCHEMA}")

    def _has_table(self, name: str) -> bool:
        return (
            self.con.execute(
                "select 1 from sqlite_master where type = 'table' and name = ?", (name,)
            ).fetchone()
            is not None
        )

    def close(self) -> None:
        self.con.close()

    def load(self, target: str) -> dict[str, StateRow]:
        rows = self.con.execute(
            "select key, payload_hash, payload_json, remote_id, status, attempts, synced_at from sync_state where target = ?",
            (target,),
        ).fetchall()
        return {r[0]: StateRow(*r) for r in rows}

    def record_success(
        self,
        target: str,
        key: str,
        payload_hash: str | None,
        payload: Any,
        remote_id: str | None,
        status: str = "ok",
    ) -> None:
        now = _now()
        with self._lock, self._transaction():
            self._done(target, key)
            self.con.execute(
                """insert into sync_state (target, key, payload_hash, payload_json, remote_id, status, attempts,
                                           last_error, synced_at, updated_at)
                   values (?, ?, ?, ?, ?, ?, 0, null, ?, ?)
                   on conflict (target, key) do update set payload_hash = excluded.payload_hash,
                       payload_json = excluded.payload_json,
                       remote_id = coalesce(excluded.remote_id, sync_state.remote_id),
                       status = excluded.status, attempts = 0, last_error = null,
                       synced_at = excluded.synced_at, updated_at = excluded.updated_at""",
                (
                    target,
                    key,
                    payload_hash,
                    None if payload is None else json.dumps(payload, sort_keys=True),
                    remote_id,
                    status,
                    now,
                    now,
                ),
            )

    def record_failure(self, target: str, key: str, error: str, max_attempts: int) -> str:
        """Count a failed attempt; after ``max_attempts`` the row is parked (reported, not retried)."""
        now = _now()
        with self._lock, self._transaction():  # still in doubt: some calls may have applied
            row = self.con.execute(
                "select attempts from sync_state where target = ? and key = ?", (target, key)
            ).fetchone()
            attempts = (row[0] if row else 0) + 1
            status = "parked" if attempts >= max_attempts else "failed"
            self.con.execute(
                """insert into sync_state (target, key, status, attempts, last_error, updated_at)
                   values (?, ?, ?, ?, ?, ?)
                   on conflict (target, key) do update set status = excluded.status, attempts = excluded.attempts,
                       last_error = excluded.last_error, updated_at = excluded.updated_at""",
                (target, key, status, attempts, error[:1000], now),
            )
        return status

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self.con.execute("begin immediate")
        try:
            yield
        except BaseException:
            self.con.execute("rollback")
            raise
        self.con.execute("commit")

    def _done(self, target: str, key: str) -> None:
        self.con.execute("delete from sync_inflight where target = ? and key = ?", (target, key))

    def begin_row(self, target: str, key: str, run_id: str) -> None:
        """Record that calls for this row are about to be made (cleared with its result)."""
        with self._lock:
            self.con.execute(
                "insert or replace into sync_inflight (target, key, run_id, started_at) values (?, ?, ?, ?)",
                (target, key, run_id, _now()),
            )

    def inflight(self, target: str) -> set[str]:
        """Keys whose last apply was interrupted before its result was recorded."""
        rows = self.con.execute("select key from sync_inflight where target = ?", (target,))
        return {r[0] for r in rows.fetchall()}

    def forget(self, target: str, key: str) -> None:
        with self._lock:
            self.con.execute("delete from sync_state where target = ? and key = ?", (target, key))

    def start_run(
        self,
        run_id: str,
        target: str,
        dry_run: bool,
        planned: dict[str, Any],
        plan_rows: Iterable[tuple[str, str, str | None, Any]],
    ) -> None:
        with self._lock, self._transaction():
            self.con.execute(
                "delete from sync_plan where run_id = ? and target = ?", (run_id, target)
            )
            self.con.execute(
                """insert or replace into sync_runs (run_id, target, started_at, dry_run, planned_json)
                   values (?, ?, ?, ?, ?)""",
                (run_id, target, _now(), int(dry_run), json.dumps(planned, sort_keys=True)),
            )
            self.con.executemany(
                "insert into sync_plan (run_id, target, key, op, reason, payload_json) values (?, ?, ?, ?, ?, ?)",
                [
                    (run_id, target, k, op, reason, json.dumps(p, sort_keys=True, default=str))
                    for k, op, reason, p in plan_rows
                ],
            )

    def finish_run(self, run_id: str, target: str, applied: dict[str, Any]) -> None:
        with self._lock:
            self.con.execute(
                "update sync_runs set finished_at = ?, applied_json = ? where run_id = ? and target = ?",
                (_now(), json.dumps(applied, sort_keys=True), run_id, target),
            )

    def prune_logs(self, before_day: str) -> int:
        """Delete the per-call logs (``sync_log``, ``sync_plan``, ``sync_runs``) of runs whose
        logical day (the second field of a run id, ``<dag>:<YYYY-MM-DD>:…``) is before
        ``before_day``; the per-row state stays. Returns the rows deleted."""
        day_of = "substr(run_id, instr(run_id, ':') + 1, 10)"
        deleted = 0
        with self._lock, self._transaction():
            for table in ("sync_log", "sync_plan", "sync_runs"):
                cur = self.con.execute(
                    f"delete from {table} where {day_of} < ? and {day_of} glob ?",
                    (before_day, "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"),
                )
                deleted += cur.rowcount
        return deleted

    def log_call(
        self, run_id: str, target: str, key: str, op: str, call: str, ok: bool, error: str | None
    ) -> None:
        with self._lock:
            self.con.execute(
                "insert into sync_log (run_id, target, key, op, call, ok, error, at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, target, key, op, call, int(ok), error, _now()),
            )
