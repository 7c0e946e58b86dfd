"""Running a sync: its targets in order against the one state store, its run id, its summary."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from titlevideo.config import Lake, Rules, load_rules
from titlevideo.connections import Endpoint
from titlevideo.failpoints import failpoint
from titlevideo.reverse.engine import Engine, Target
from titlevideo.reverse.state import StateStore

log = logging.getLogger(__name__)


def run_id_for(dag_id: str, day: str) -> str:
    return f"{dag_id}:{day}:{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}:{uuid.uuid4().hex[:6]}"


def _run_day(run_id: str) -> date | None:
    """The logical day of a run id from :func:`run_id_for` (None for another kind of id)."""
    try:
        return date.fromisoformat(run_id.split(":")[1])
    except (IndexError, ValueError):
        return None


def run_targets(
    lake: Lake,
    targets: Sequence[Target],
    *,
    run_id: str,
    rules: Rules,
    dry_run: bool,
    writes_per_second: float,
) -> dict[str, Any]:
    """Plan and apply each target in order; one target failing hard stops the rest."""
    from titlevideo.config import SQL_ROOT
    from titlevideo.warehouse import meta

    # a warehouse of another model version is never read as if current
    meta.require_current(lake.warehouse, meta.project_version(SQL_ROOT))
    store = StateStore(lake.state / "sync.sqlite")
    try:
        day = _run_day(run_id)
        if day is not None and not dry_run:  # per-call log retention (the per-row state stays)
            store.prune_logs((day - timedelta(days=rules.log_retention_days)).isoformat())
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


@dataclass(frozen=True)
class SystemSync:
    """One system's sync (``sync_bytenite``, ``sync_consonance``): called as
    ``sync(endpoint, lake, run_id=..., dry_run=False, rules=None)``, it makes the system's API
    ``client(endpoint)``, then each of its ``targets`` with it, and runs them in that order at the
    endpoint's write rate (its connection's ``writes_per_second``, else the business rules'
    ``writes_per_second(rules)``)."""

    client: Callable[[Endpoint], Any]
    targets: Sequence[Callable[[Any, Lake, Rules], Target]]
    writes_per_second: Callable[[Rules], float]

    def __call__(
        self,
        endpoint: Endpoint,
        lake: Lake,
        *,
        run_id: str,
        dry_run: bool = False,
        rules: Rules | None = None,
    ) -> dict[str, Any]:
        rules = rules or load_rules()
        client = self.client(endpoint)
        return run_targets(
            lake,
            [target(client, lake, rules) for target in self.targets],
            run_id=run_id,
            rules=rules,
            dry_run=dry_run,
            writes_per_second=endpoint.writes_per_second or self.writes_per_second(rules),
        )


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
