"""The Parquet lake: atomic, date-keyed partitions, quarantine and drift reports.

Layout (docs/architecture.md, the lake layer)::

    lake.json                                                    the lake's format (below)
    raw/<source>/<entity>/<key>=YYYY-MM-DD/data.parquet
    raw/<source>/<entity>/<key>=YYYY-MM-DD/_manifest.json       what the extraction wrote
    quarantine/<source>/<entity>/<key>=YYYY-MM-DD/data.parquet    rejected records + reason
    reports/drift/<source>/<entity>/<key>=YYYY-MM-DD.json        fields the contract did not know

A partition is one file written through a temp name in the same directory and renamed over the
old one (``os.replace``), so a reader sees the old complete file or the new complete file, never a
partial one; a killed writer leaves only a dot-prefixed temp file that readers' ``*.parquet`` globs
skip and the next writer of that partition removes. A writer holds an advisory lock (``flock``) on
its temp file until it renames or drops it, so the next writer removes only temp files nobody
holds: two runs writing the same partition at once (two first runs of a deployment both catching
up the same history days) each finish, and the last rename wins. A rerun of a date replaces its
partition.

The lake carries a format version (:data:`LAKE_FORMAT`) in ``lake.json`` at its root, and every
manifest carries the format it was written in (``lake_format``). The first extraction of a
release (:func:`ensure_lake_format`) migrates an older lake in place, under a lock, one step
after another, the marker written last; a lake in a newer format than this release knows (a
downgrade) is refused with :class:`LakeFormatError` before anything is read or written.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from titlevideo.config import ConfigError, Lake
from titlevideo.failpoints import failpoint

log = logging.getLogger(__name__)

DATA_FILE = "data.parquet"
MANIFEST = "_manifest.json"
LAKE_MARKER = "lake.json"
#: The lake's format. 1: release 0.1.0's (no marker, unstamped manifests). 2: ``lake.json`` at
#: the root, every manifest stamped with ``lake_format``.
LAKE_FORMAT = 2
TMP_MARK = ".tmp-"
#: Rows a writer holds as Python dicts before converting them to Arrow.
CONVERT_ROWS = 4096
#: Arrow bytes a writer buffers before writing a row group, whatever its row count: wide rows
#: (marketing texts, works with their contributions) make smaller row groups, not more memory.
MAX_BUFFER_BYTES = 8 * 2**20

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("record_key", pa.string()),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("field", pa.string()),
        pa.field("record_json", pa.string(), nullable=False),
        pa.field("_extracted_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)


def partition_dir(base: Path, source: str, entity: str, key: str, value: date | str) -> Path:
    value = value.isoformat() if isinstance(value, date) else value
    return base / source / entity / f"{key}={value}"


class PartitionWriter:
    """Stream record batches into one partition file; :meth:`commit` makes it visible atomically.

    Use as a context manager: leaving the block without ``commit()`` (an exception, a kill) discards
    the temp file and leaves the previous partition, if any, untouched.
    """

    def __init__(self, directory: Path, schema: pa.Schema, *, row_group_size: int = 64_000):
        self.directory = directory
        self.schema = schema
        self.final = directory / DATA_FILE
        self.tmp = directory / f".{DATA_FILE}{TMP_MARK}{uuid.uuid4().hex}"
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._row_group_size = row_group_size
        self._pending: list[dict[str, Any]] = []
        # rows already converted to Arrow, waiting for a full row group (compact: a few bytes a
        # value instead of a Python object per value)
        self._tables: list[pa.Table] = []
        self._table_rows = 0
        self._table_bytes = 0
        self.committed = False
        self._lock: IO[bytes] | None = None

    def __enter__(self) -> PartitionWriter:
        self.directory.mkdir(parents=True, exist_ok=True)
        for stale in self.directory.glob(f".*{TMP_MARK}*"):
            _remove_unless_held(stale)  # a writer that was killed mid-way, not a live one
        self._lock = open(self.tmp, "wb")  # held until commit or exit
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self._writer = pq.ParquetWriter(self.tmp, self.schema, compression="zstd")
        return self

    def write(self, records: Iterable[dict[str, Any]]) -> None:
        """Buffer records; full row groups are flushed to disk so memory stays bounded.

        Records are converted to Arrow every :data:`CONVERT_ROWS` rows, so at most that many
        are held as Python objects whatever the row-group size."""
        self._pending.extend(records)
        if len(self._pending) >= CONVERT_ROWS:
            self._convert()

    def write_table(self, table: pa.Table) -> None:
        """Buffer rows that are already an Arrow table of this partition's schema."""
        if self._pending:
            self._convert()  # keep the order of the rows
        if table.num_rows:
            self._buffer(table)

    def _convert(self) -> None:
        if not self._pending:
            return
        table = pa.Table.from_pylist(self._pending, schema=self.schema)
        self._pending = []
        self._buffer(table)

    def _buffer(self, table: pa.Table) -> None:
        self._tables.append(table)
        self._table_rows += table.num_rows
        self._table_bytes += table.nbytes
        if self._table_rows >= self._row_group_size or self._table_bytes >= MAX_BUFFER_BYTES:
            self._flush()

    def _flush(self) -> None:
        self._convert()
        if not self._tables or self._writer is None:
            return
        table = pa.concat_tables(self._tables)
        self._tables = []
        self._table_rows = 0
        self._table_bytes = 0
        self._writer.write_table(table, row_group_size=self._row_group_size)
        self.rows += table.num_rows

    def commit(self) -> Path:
        self._flush()
        assert self._writer is not None
        self._writer.close()
        self._writer = None
        with open(self.tmp, "rb") as fh:
            os.fsync(fh.fileno())
        failpoint("lake.partition.before_rename")
        os.replace(self.tmp, self.final)
        failpoint("lake.partition.after_rename")
        _fsync_dir(self.directory)
        self.committed = True
        self._release()
        return self.final

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file releases its flock
            self._lock = None

    def __exit__(self, *exc: object) -> None:
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
        if not self.committed:
            with contextlib.suppress(FileNotFoundError):
                self.tmp.unlink()
        self._release()


def _remove_unless_held(path: Path) -> None:
    """Remove a partition writer's temp file unless a live writer holds its lock (the kernel
    releases the lock of a killed process)."""
    try:
        with open(path, "rb") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # being written
            path.unlink()
    except FileNotFoundError:
        pass  # renamed or removed by its writer meanwhile


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_text_atomic(
    path: Path, text: str, *, before_rename: Callable[[], None] | None = None
) -> Path:
    """Write ``path`` through a temp file and a rename: readers see the old or the new text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}{TMP_MARK}{uuid.uuid4().hex}")
    tmp.write_text(text)
    if before_rename is not None:
        before_rename()
    os.replace(tmp, path)
    return path


def write_json_atomic(path: Path, payload: Any) -> Path:
    text = json.dumps(payload, indent=2, sort_keys=True, default=str)
    return write_text_atomic(path, text, before_rename=lambda: failpoint("lake.json.before_rename"))


def replace_dir(new: Path, target: Path) -> None:
    """Put the freshly built directory ``new`` at ``target``: a previous ``target`` is renamed
    aside, the new one renamed in, then the old one removed (a reader never sees a half one)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class Quarantine:
    """Rejected records of one entity and logical date, each with its reason; written atomically."""

    def __init__(self, lake: Lake, source: str, entity: str, key: str, value: date):
        self.directory = partition_dir(lake.quarantine, source, entity, key, value)
        self.rows: list[dict[str, Any]] = []
        self.reasons: dict[str, int] = {}

    def add(
        self, record: Any, reason: str, field: str | None, key: Any, extracted_at: datetime
    ) -> None:
        self.rows.append(
            {
                "record_key": None if key is None else str(key),
                "reason": reason,
                "field": field,
                "record_json": json.dumps(record, sort_keys=True, default=str),
                "_extracted_at": extracted_at,
            }
        )
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def commit(self) -> int:
        """Replace the partition (an empty list removes an earlier quarantine of the same date)."""
        if not self.rows:
            with contextlib.suppress(FileNotFoundError):
                (self.directory / DATA_FILE).unlink()
            return 0
        with PartitionWriter(self.directory, QUARANTINE_SCHEMA) as writer:
            writer.write(self.rows)
            writer.commit()
        return len(self.rows)


def drift_report_path(lake: Lake, source: str, entity: str, key: str, value: date) -> Path:
    return lake.reports / "drift" / source / entity / f"{key}={value.isoformat()}.json"


def now_utc() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------------------------
# The lake's format version
# --------------------------------------------------------------------------------------------


class LakeFormatError(ConfigError):
    """The lake (or one of its manifests) is in a newer format than this release knows."""


def release() -> str:
    """This package's release (the version its metadata declares)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("title-video-elt")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree without install
        return "unknown"


def downgrade_message(what: str, found: int | str, mine: int | str, written_by: str | None) -> str:
    by = f" (written by release {written_by})" if written_by else ""
    return (
        f"{what} is in format {found}{by}; this release ({release()}) knows formats up to "
        f"{mine}. Downgrading is not supported: run release {written_by or 'that wrote it'} "
        "or newer, or restore the lake's files from a backup taken before the upgrade."
    )


def read_lake_marker(lake: Lake) -> dict[str, Any] | None:
    try:
        marker = json.loads((lake.root / LAKE_MARKER).read_text())
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise LakeFormatError(f"{lake.root / LAKE_MARKER} is not valid JSON ({exc})") from None
    if not isinstance(marker, dict) or not isinstance(marker.get("format"), int):
        raise LakeFormatError(f"{lake.root / LAKE_MARKER} has no integer 'format'")
    return marker


def _lake_format(lake: Lake, marker: dict[str, Any] | None) -> int:
    """The format of the lake: its marker's, or 1 for a lake of release 0.1.0 (files, no
    marker); ``0`` for a lake with nothing in it yet."""
    if marker is not None:
        return int(marker["format"])
    for d in (lake.raw, lake.quarantine, lake.state):
        if d.is_dir() and any(d.iterdir()):
            return 1
    return 0


def _stamp_manifests(lake: Lake) -> int:
    """1 -> 2: every manifest gets ``lake_format: 2`` (content otherwise unchanged)."""
    n = 0
    for path in sorted(lake.raw.glob(f"*/*/*=*/{MANIFEST}")):
        try:
            payload = json.loads(path.read_text())
        except ValueError:
            log.warning("%s is not valid JSON; left as it is", path)
            continue
        if payload.get("lake_format") == 2:
            continue
        payload["lake_format"] = 2
        write_text_atomic(path, json.dumps(payload, indent=2, sort_keys=True, default=str))
        n += 1
    return n


#: step from format N to N + 1, in order
MIGRATIONS: dict[int, Callable[[Lake], int]] = {1: _stamp_manifests}

_CHECKED: set[Path] = set()


def ensure_lake_format(lake: Lake) -> int:
    """Refuse a lake newer than this release; migrate an older one to :data:`LAKE_FORMAT`.

    Checked once per process and lake. The migration holds an exclusive lock on
    ``<root>/.lake.lock`` and reads the marker again under it, so of two tasks starting at once
    one migrates and the other finds the lake current; each step rewrites files atomically and
    the marker is written last, so a migration killed half-way is done again from the start."""
    if lake.root in _CHECKED:
        return LAKE_FORMAT
    found = _lake_format(lake, read_lake_marker(lake))
    if found > LAKE_FORMAT:
        newer = read_lake_marker(lake) or {}
        raise LakeFormatError(
            downgrade_message(f"The lake at {lake.root}", found, LAKE_FORMAT, newer.get("release"))
        )
    if found < LAKE_FORMAT:
        lake.root.mkdir(parents=True, exist_ok=True)
        with open(lake.root / ".lake.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            marker = read_lake_marker(lake)
            found = _lake_format(lake, marker)
            history = list((marker or {}).get("history", []))
            if found < LAKE_FORMAT:
                # a lake with nothing in it yet is simply marked; an older one migrated step by step
                for step in range(found, LAKE_FORMAT) if found else ():
                    changed = MIGRATIONS[step](lake)
                    log.warning(
                        "lake %s migrated from format %d to %d (%d files rewritten)",
                        lake.root,
                        step,
                        step + 1,
                        changed,
                    )
                    history.append(
                        {
                            "from": step,
                            "to": step + 1,
                            "release": release(),
                            "at": now_utc().isoformat(),
                            "files": changed,
                        }
                    )
                marker = {"format": LAKE_FORMAT, "release": release(), "history": history}
                write_text_atomic(
                    lake.root / LAKE_MARKER, json.dumps(marker, indent=2, sort_keys=True) + "\n"
                )
    _CHECKED.add(lake.root)
    return LAKE_FORMAT


def check_manifest(path: Path, payload: dict[str, Any]) -> dict[str, Any]:
    """A manifest this release can read (any older format), or :class:`LakeFormatError`."""
    found = payload.get("lake_format", 1)
    if isinstance(found, int) and found > LAKE_FORMAT:
        raise LakeFormatError(downgrade_message(f"The manifest {path}", found, LAKE_FORMAT, None))
    return payload
