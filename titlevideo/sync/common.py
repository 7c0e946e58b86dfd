"""What both syncs share: reading ``rev_`` models into engine rows, and running targets in order.

Every ``rev_<target>__<entity>`` model has the columns ``key``, ``desired_json`` (null = should not
exist), ``observed_json`` (null = absent remotely), ``observed_at`` (when the extraction saw it) and
``context_json`` (ids a call needs). The warehouse is opened read-only: syncs never write to it.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from titlevideo.config import Lake, Rules
from titlevideo.failpoints import failpoint
from titlevideo.reverse.engine import Engine, Row, Target
from titlevideo.reverse.state import StateStore

log = logging.getLogger(__name__)

REV_COLUMNS = ("key", "desired_json", "observed_json", "observed_at", "context_json")


def label(code: str) -> str:
    """``AUTHOR_INTERVIEW`` -> ``Author interview`` (deliverable types, statuses in texts)."""
    words = code.replace("_", " ").lower()
    return words[:1].upper() + words[1:]


def read_rev(warehouse: Path, model: str) -> Iterator[Row]:
    """Rows of a ``rev_`` model from a read-only connection to the warehouse."""
    import duckdb

    if not model.startswith("rev_") or not model.replace("_", "").isalnum():
        raise ValueError(f"not a reverse model name: {model!r}")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cur = con.execute(f"select {', '.join(REV_COLUMNS)} from reverse.{model} order by key")
        while batch := cur.fetchmany(10_000):
            for key, desired, observed, observed_at, context in batch:
                if observed_at is not None and observed_at.tzinfo is None:
                    observed_at = observed_at.replace(tzinfo=UTC)
                yield Row(
                    key=str(key),
                    desired=None if desired is None else json.loads(desired),
                    observed=None if observed is None else json.loads(observed),
                    observed_at=observed_at,
                    context={} if context is None else json.loads(context),
                )
    finally:
        con.close()


def run_id_for(dag_id: str, day: str) -> str:
    return f"{dag_id}:{day}:{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}:{uuid.uuid4().hex[:6]}"


def run_targets(
    lake: Lake,
    targets: list[Target],
    *,
    run_id: str,
    rules: Rules,
    dry_run: bool,
    writes_per_second: float,
) -> dict[str, Any]:
    """Plan and apply each target in order; one target failing hard stops the rest."""
    store = StateStore(lake.state / "sync.sqlite")
    try:
        engine = Engine(
            store,
            run_id,
            writes_per_second=writes_per_second,
            max_attempts=rules.max_attempts_per_row,
            dry_run=dry_run,
        )
        results = {}
        for target in targets:
            results[target.name] = engine.sync(target)
            failpoint("sync.between_targets")
        return results
    finally:
        store.close()


def summarise(results: dict[str, Any], system: str, dry_run: bool) -> tuple[str, list[str]]:
    planned = sum(
        sum(v for k, v in r["planned"].items() if k in ("create", "update", "delete"))
        for r in results.values()
    )
    calls = sum(r.get("calls", 0) for r in results.values())
    failed = sum(r.get("failed", 0) for r in results.values())
    if dry_run:
        headline = f"dry run: {planned} {system} writes planned, none applied"
    elif calls == 0:
        headline = f"no {system} writes needed (everything already as desired)"
    else:
        headline = (
            f"{planned} {system} writes planned, {calls} write calls made, {failed} rows failed"
        )
    details = []
    for name, r in results.items():
        p = r["planned"]
        details.append(
            f"{name}: create {p['create']}, update {p['update']}, delete {p['delete']}, adopt {p['adopt']}, "
            f"unchanged {p['unchanged']}, parked {p['parked']}; calls {r.get('calls', 0)}, failed {r.get('failed', 0)}"
        )
    return headline, details
