"""Shared machinery of the extraction jobs: per-entity outputs, quarantine, drift, manifests.

An :class:`EntityOutput` takes wire records of one entity for one logical date: it checks the
schema contract (breaking → :class:`~titlevideo.contract.ContractError`, nothing made visible),
normalises each record to the entity's declared row, validates values (invalid → quarantine with
its reason), drops duplicate keys (→ quarantine), and streams rows to a temp partition file that
:meth:`ExtractionRun.commit` renames into place for every entity together at the end.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from titlevideo.config import Lake
from titlevideo.contract import Contract
from titlevideo.failpoints import failpoint
from titlevideo.lake import (
    DATA_FILE,
    LAKE_FORMAT,
    MANIFEST,
    PartitionWriter,
    Quarantine,
    check_manifest,
    drift_report_path,
    ensure_lake_format,
    partition_dir,
    write_json_atomic,
)
from titlevideo.schemas import Entity

log = logging.getLogger(__name__)

#: normalise(wire record, extracted_at, context) -> row; raise Invalid for a bad value. The context
#: carries what the record does not (e.g. the id of the work it was nested in).
Normaliser = Callable[[dict[str, Any], datetime, dict[str, Any]], dict[str, Any]]


def intern_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """The key with its strings interned: a day's metric keys repeat the same asset ids,
    channels and countries, and :attr:`EntityOutput.seen` then holds one copy of each."""
    return tuple(sys.intern(v) if type(v) is str else v for v in key)


class Invalid(ValueError):
    """A value that is the right type but wrong (bad check digit, impossible date, unknown code…)."""

    def __init__(self, field_name: str, reason: str):
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


@dataclass
class EntityOutput:
    entity: Entity
    contract: Contract
    normalise: Normaliser
    lake: Lake
    day: date
    writer: PartitionWriter = field(init=False)
    quarantine: Quarantine = field(init=False)
    seen: set[tuple[Any, ...]] = field(default_factory=set)
    received: int = 0
    written: int = 0

    def __post_init__(self) -> None:
        e = self.entity
        self.writer = PartitionWriter(
            partition_dir(self.lake.raw, e.source, e.name, e.partition_key, self.day), e.schema
        )
        self.quarantine = Quarantine(self.lake, e.source, e.name, e.partition_key, self.day)

    def open(self) -> None:
        self.writer.__enter__()

    def close(self) -> None:
        self.writer.__exit__(None, None, None)

    def take(
        self,
        records: list[dict[str, Any]],
        extracted_at: datetime,
        context: dict[str, Any] | None = None,
        *,
        checked: bool = False,
    ) -> list[dict[str, Any]]:
        """Check, normalise and validate a page of wire records; write and return the good rows.

        ``checked`` says the caller already ran the contract check on these records."""
        rows = []
        for record in records:
            self.received += 1
            if not checked:
                self.contract.check(record)
            key_value = record.get(self.contract.key) if self.contract.key else None
            try:
                row = self.normalise(record, extracted_at, context or {})
            except Invalid as bad:
                self.quarantine.add(record, bad.reason, bad.field, key_value, extracted_at)
                continue
            key = intern_key(tuple(row[k] for k in self.entity.key))
            if key in self.seen:
                self.quarantine.add(
                    record,
                    "duplicate key in this extraction",
                    ",".join(self.entity.key),
                    key_value,
                    extracted_at,
                )
                continue
            self.seen.add(key)
            rows.append(row)
        self.writer.write(rows)
        self.written += len(rows)
        return rows

    def take_table(self, table: Any, received: int) -> None:
        """Write rows that a fast path already checked, normalised and de-duplicated (its keys
        are in :attr:`seen`); ``received`` wire records became ``table``."""
        self.received += received
        self.writer.write_table(table)
        self.written += table.num_rows

    def reject(
        self,
        record: dict[str, Any],
        reason: str,
        field_name: str | None,
        extracted_at: datetime,
        context: dict[str, Any] | None = None,
    ) -> None:
        """Quarantine a record for a reason found outside its own values (e.g. its parent was rejected)."""
        self.received += 1
        key_value = (
            record.get(self.contract.key)
            if self.contract.key and isinstance(record, dict)
            else None
        )
        self.quarantine.add(
            {**record, **(context or {})} if context else record,
            reason,
            field_name,
            key_value,
            extracted_at,
        )

    def summary(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "written": self.written,
            "quarantined": len(self.quarantine.rows),
            "quarantine_reasons": dict(sorted(self.quarantine.reasons.items())),
            "unknown_fields": sorted(self.contract.drift),
        }


class ExtractionRun:
    """All entity outputs of one extraction; commits them together or not at all."""

    def __init__(self, lake: Lake, source: str, day: date, outputs: list[EntityOutput], mode: str):
        """Each entity's partition is replaced atomically; the entities of one run are renamed one
        after another at the very end. A kill between two renames leaves a mix of the old and new
        extraction of that date, which the rerun of the date replaces; the DAG emits its asset only
        after every rename, so no scheduled build reads the mix."""
        self.lake = lake
        self.source = source
        self.day = day
        self.outputs = {o.entity.name: o for o in outputs}
        self.mode = mode

    def __enter__(self) -> ExtractionRun:
        ensure_lake_format(self.lake)  # refuse a newer lake, migrate an older one, first
        for o in self.outputs.values():
            o.open()
        return self

    def __exit__(self, *exc: object) -> None:
        for o in self.outputs.values():
            with contextlib.suppress(Exception):
                o.close()

    def commit(self, extracted_at: datetime, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Make every partition visible (atomic renames), then quarantine, drift and manifest."""
        summary: dict[str, Any] = {
            "source": self.source,
            "date": self.day.isoformat(),
            "mode": self.mode,
            "lake_format": LAKE_FORMAT,
            "extracted_at": extracted_at.isoformat(),
            "entities": {},
        }
        for name, o in self.outputs.items():
            o.writer.commit()
            failpoint("extract.commit.before_quarantine")
            o.quarantine.commit()
            e = o.entity
            report = o.contract.drift_report()
            drift_path = drift_report_path(self.lake, e.source, e.name, e.partition_key, self.day)
            if report["unknown_fields"]:
                write_json_atomic(drift_path, report)
                log.warning(
                    "%s.%s: %d unknown field(s) from the API recorded in %s: %s",
                    e.source,
                    e.name,
                    len(report["unknown_fields"]),
                    drift_path,
                    ", ".join(report["unknown_fields"]),
                )
            else:
                with contextlib.suppress(FileNotFoundError):
                    drift_path.unlink()
            summary["entities"][name] = o.summary()
            q = len(o.quarantine.rows)
            log.info(
                "%s.%s %s: %d received, %d written, %d quarantined%s",
                e.source,
                e.name,
                self.day,
                o.received,
                o.written,
                q,
                f" ({o.quarantine.reasons})" if q else "",
            )
            failpoint("extract.commit.between_entities")
        if extra:
            summary.update(extra)
        failpoint("extract.commit.before_manifest")
        for o in self.outputs.values():
            write_json_atomic(o.writer.directory / MANIFEST, summary)
        return summary


def read_manifest(lake: Lake, entity: Entity, day: date) -> dict[str, Any] | None:
    """The manifest of a committed partition, or None; a lake or manifest in a newer format
    than this release's is refused (:class:`~titlevideo.lake.LakeFormatError`)."""
    import json

    ensure_lake_format(lake)
    path = partition_dir(lake.raw, entity.source, entity.name, entity.partition_key, day) / MANIFEST
    try:
        payload = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return check_manifest(path, payload) if isinstance(payload, dict) else None


def other_partitions(lake: Lake, entity: Entity, day: date) -> list[date]:
    """Dates of the committed partitions of ``entity`` other than ``day`` (the rules of
    ``titlevideo.warehouse.raw.list_partitions``, without importing DuckDB into extraction)."""
    base = lake.raw / entity.source / entity.name
    prefix = entity.partition_key + "="
    out = []
    if base.is_dir():
        for d in base.iterdir():
            if not d.name.startswith(prefix) or not (d / DATA_FILE).exists():
                continue
            try:
                value = date.fromisoformat(d.name[len(prefix) :])
            except ValueError:
                log.warning("ignoring %s: partition value is not YYYY-MM-DD", d)
                continue
            if value != day:
                out.append(value)
    return sorted(out)
