"""Failpoints: named places where a test can kill the process, to prove crash consistency.

``failpoint("lake.partition.before_rename")`` does nothing unless the environment variable
``TITLEVIDEO_FAILPOINT`` names that point; then the process kills itself with ``SIGKILL`` (no
``finally`` blocks, no atexit, no flush: a power cut as far as the process can tell).
``name@N`` kills at the N-th time the point is reached in this process (default: the first).

The cost when the variable is unset is one dictionary lookup in ``os.environ``. The points are
listed in :data:`POINTS`, so a test can check that it covers every one of them, and so a typo in
a test's spec is an error instead of a kill that never comes.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "TITLEVIDEO_FAILPOINT"

#: Every failpoint in the package, by stage. Names are ``<stage>.<place>``.
POINTS: dict[str, str] = {
    # extraction (titlevideo/extract, titlevideo/lake.py)
    "extract.consonance.page": "a Consonance page was fetched and split into the temp partitions",
    "extract.bytenite.page": "a ByteNite snapshot page (jobs, assets, placements) was taken",
    "extract.metrics.page": "a page of daily metrics was taken",
    "lake.partition.before_rename": "a partition's temp file is complete and fsynced, not renamed",
    "lake.partition.after_rename": "a partition was renamed into place, its directory not fsynced",
    "extract.commit.between_entities": "one entity of a run was committed, the next not yet",
    "extract.commit.before_quarantine": "an entity's partition is visible, its quarantine not yet",
    "extract.commit.before_manifest": "every partition is visible, no manifest written",
    "lake.json.before_rename": "a JSON file (manifest, drift or run report) is written, not renamed",
    # warehouse build (titlevideo/warehouse/build.py)
    "warehouse.build.after_lock": "the build lock is held, nothing built",
    "warehouse.build.model.staging": "a staging model was built into the temp file",
    "warehouse.build.model.intermediate": "an intermediate model was built",
    "warehouse.build.model.marts": "a mart was built",
    "warehouse.build.model.reverse": "a reverse (desired state) model was built",
    "warehouse.build.before_quality": "every model and test ran, the GX mart suites not yet",
    "warehouse.build.before_meta": "the suites passed, build metadata not written",
    "warehouse.swap.before_replace": "the new file is complete and fsynced, not renamed",
    "warehouse.swap.after_replace": "the new warehouse is in place, the task has not returned",
    # reverse ETL (titlevideo/reverse)
    "sync.plan.recorded": "a target's plan is stored, nothing applied",
    "sync.call.before": "a write call is about to be sent",
    "sync.call.after": "a write call succeeded, not yet logged or recorded in the sync state",
    "sync.row.before_record": "every call of one row succeeded, its state not yet recorded",
    "sync.between_targets": "one target of a sync finished, the next not started",
    "sync.bytenite.job.created": "a ByteNite job was created, not yet run",
    "sync.bytenite.placement.disabled": "a placement was disabled, its regions not yet changed",
    "sync.consonance.summary.created": "a new performance summary was created, the old not deleted",
}

_hits: Counter[str] = Counter()


def failpoint(name: str) -> None:
    """Kill this process with SIGKILL if ``TITLEVIDEO_FAILPOINT`` names this point (see module)."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    _trigger(spec, name)


def parse(spec: str) -> tuple[str, int]:
    """``"name"`` or ``"name@N"`` → (name, N); unknown names and bad counts are errors."""
    name, _, nth = spec.partition("@")
    if name not in POINTS:
        raise ValueError(f"{ENV}={spec!r}: unknown failpoint {name!r}; see titlevideo.failpoints")
    count = int(nth) if nth else 1
    if count < 1:
        raise ValueError(f"{ENV}={spec!r}: the hit number must be >= 1")
    return name, count


def _trigger(spec: str, name: str) -> None:
    target, count = parse(spec)
    if name != target:
        return
    _hits[name] += 1
    if _hits[name] == count:
        os.write(2, f"failpoint {name}@{count}: SIGKILL\n".encode())
        os.kill(os.getpid(), signal.SIGKILL)
