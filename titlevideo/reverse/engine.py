"""The reverse-ETL engine both syncs share: desired state → diff → plan → rate-limited apply → log.

The targets (``titlevideo.reverse.targets``) say what to write; the engine decides when, makes
each write exactly once (:meth:`Calls.write_once`) and records it.

A *target* (one kind of remote object, e.g. ByteNite placements) supplies rows: the key, the
desired payload from a ``rev_`` model (``None`` = should not exist), the payload the latest
extraction observed remotely (``None`` = absent) and when it was observed. The engine decides per
row, against the durable :class:`~titlevideo.reverse.state.StateStore`:

========================================  ================================================
situation                                 operation
========================================  ================================================
never synced, remote already as desired   ``adopt`` (record state, no call)
never synced, remote absent / different   ``create`` / ``update``
desired changed since our last write      ``update`` (or ``create`` if gone, ``adopt`` if equal)
last attempt failed (below the cap)       retried like the above
failed ``max_attempts`` times             ``parked``: reported, not retried
remote changed *after* our last write     ``update`` (drift: someone edited it)
unchanged, or observation older than      nothing
our last write
should not exist, remote present          ``delete``
========================================  ================================================

A plan (counts and samples per operation) is logged and stored (``sync_plan``); a dry run stops
there. Apply runs operations through a token bucket, records every call in ``sync_log``, and
updates state only for rows that succeeded.

A row's calls are bracketed in the state store (``begin_row`` before the first call, cleared with
its result). A run killed in between leaves the row *in doubt*: some of its calls may have been
applied. The next run plans it even if nothing else changed and, before any call, reads the
remote object back (:meth:`Target.observe`): already as desired → adopted without a call;
otherwise applied from what is really there, so no call is repeated and none is lost. Per-row
failures (payload errors, 4xx) are logged and counted; an authentication failure stops the run
(nothing more can succeed).

Within a row, a write that is not idempotent goes through :meth:`Calls.write_once`: after a
failure that leaves unknown whether it was applied (:class:`~titlevideo.transport.AmbiguousWrite`)
the remote object is read back and the write sent again only if it is not there; after a refusal,
a read-back that finds it already applied (made by an earlier, interrupted run) counts as done.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from titlevideo.failpoints import failpoint
from titlevideo.reverse.state import StateRow, StateStore
from titlevideo.transport import AmbiguousWrite, ApiError, AuthError, RateLimiter

log = logging.getLogger(__name__)

T = TypeVar("T")


class OpKind(StrEnum):
    """What the engine does with a row (a string, as stored in ``sync_plan`` and ``sync_log``)."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    ADOPT = "adopt"  # record the state, make no call
    PARKED = "parked"  # failed too often: reported, not planned


#: the operations a plan counts (parked rows are counted apart)
OPS = (OpKind.CREATE, OpKind.UPDATE, OpKind.DELETE, OpKind.ADOPT)


def payload_hash(payload: Any) -> str | None:
    if payload is None:
        return None
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


class RowError(RuntimeError):
    """A per-row failure reported by the remote system (e.g. GraphQL payload ``errors``)."""


@dataclass
class Row:
    key: str
    desired: dict[str, Any] | None
    observed: dict[str, Any] | None
    observed_at: datetime | None = None
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class Op:
    kind: OpKind
    reason: str
    row: Row
    #: an earlier run was interrupted between this row's calls and their recording
    in_doubt: bool = False


@dataclass
class Plan:
    target: str
    ops: list[Op]
    unchanged: int
    parked: list[str]

    def counts(self) -> dict[str, int]:
        c = Counter(op.kind for op in self.ops)
        return {kind.value: c.get(kind, 0) for kind in OPS} | {
            "unchanged": self.unchanged,
            "parked": len(self.parked),
        }

    def samples(self, n: int = 3) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for op in self.ops:
            bucket = out.setdefault(op.kind.value, [])
            if len(bucket) < n:
                bucket.append({"key": op.row.key, "reason": op.reason, "desired": op.row.desired})
        return out


class Calls:
    """What a target uses to make write calls: rate-limited, logged, counted."""

    def __init__(self, store: StateStore, run_id: str, target: str, limiter: RateLimiter):
        self.store = store
        self.run_id = run_id
        self.target = target
        self.limiter = limiter
        self.count = 0
        self._key = ""
        self._op = ""

    def bind(self, key: str, op: str) -> None:
        self._key, self._op = key, str(op)

    def __call__(self, description: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self.limiter.acquire()
        self.count += 1
        failpoint("sync.call.before")
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            self.store.log_call(
                self.run_id, self.target, self._key, self._op, description, False, str(exc)[:500]
            )
            raise
        failpoint("sync.call.after")
        self.store.log_call(self.run_id, self.target, self._key, self._op, description, True, None)
        return result

    def write_once(
        self,
        description: str,
        do: Callable[[], T],
        check: Callable[[], T | None],
        *,
        attempts: int = 4,
    ) -> T:
        """Apply a write exactly once. ``do()`` makes the write call; ``check()`` reads the remote
        state back and returns what the write would have made (None = not there).

        * an ambiguous failure (the write may or may not have happened): read back; found -> done,
          else send again after a short pause (at most ``attempts`` sends in all);
        * a refusal (4xx, a payload error): read back; found -> done (an earlier run applied it),
          else the refusal stands;
        * an authentication failure stops the run (no read-back).
        """
        for n in range(attempts):
            try:
                done: T = self(description, do)
                return done
            except AuthError:
                raise
            except AmbiguousWrite as exc:
                found = check()
                if found is not None:
                    log.info("%s had applied despite %s", description, exc)
                    return found
                time.sleep(min(0.2 * 2**n, 5.0))
            except (ApiError, RowError) as exc:
                found = check()
                if found is None:
                    raise
                log.info("%s: already applied (%s)", description, exc)
                return found
        raise RowError(f"{description}: not applied after {attempts} attempts")


class Target(ABC):
    """One kind of remote object the pipeline owns."""

    name: str = "target"
    #: whether rows with ``desired is None`` may be deleted remotely
    deletes = True
    #: whether :meth:`observe` reads the remote object back (targets whose ``apply`` reads back
    #: before every write themselves need not)
    observable = False

    @abstractmethod
    def rows(self) -> Iterable[Row]:
        """Desired and observed state, one row per key (a full outer join of the two)."""

    @abstractmethod
    def apply(self, op: Op, calls: Calls) -> str | None:
        """Make the remote calls for one operation; return the remote id if known."""

    def equal(self, desired: dict[str, Any], observed: dict[str, Any]) -> bool:
        return payload_hash(desired) == payload_hash(observed)

    def observe(self, row: Row) -> dict[str, Any] | None:
        """The remote object now, in the shape of the ``rev_`` model's observed payload (None =
        absent); may add ids to ``row.context``. Used for rows in doubt (see the module)."""
        raise NotImplementedError


def _later(observed_at: datetime | None, synced_at: str | None) -> bool:
    if observed_at is None or synced_at is None:
        return False
    return observed_at > datetime.fromisoformat(synced_at)


def decide(target: Target, row: Row, st: StateRow | None) -> tuple[OpKind, str] | None:
    """The operation for one row (see the module table), or None for nothing to do."""
    if st is not None and st.status == "parked":
        return (OpKind.PARKED, "failed too often; fix the cause and reset its state")
    if row.desired is None:
        if row.observed is None or not target.deletes:
            return None
        if st is not None and st.status == "deleted" and not _later(row.observed_at, st.synced_at):
            return None  # we deleted it after this observation was taken
        return (OpKind.DELETE, "no longer desired")
    equal = row.observed is not None and target.equal(row.desired, row.observed)
    write = OpKind.CREATE if row.observed is None else OpKind.UPDATE
    if st is None or st.status == "deleted":
        reason: str | None = "not synced before"
    elif st.status == "failed":
        reason = "retrying a failed row"
    elif st.payload_hash != payload_hash(row.desired):
        reason = "desired state changed"
    else:
        reason = None
    if reason is not None:
        return (OpKind.ADOPT, "remote already as desired") if equal else (write, reason)
    if not equal and st is not None and _later(row.observed_at, st.synced_at):
        return (write, "remote changed after our last write")
    return None


class Engine:
    def __init__(
        self,
        store: StateStore,
        run_id: str,
        *,
        writes_per_second: float,
        max_attempts: int,
        dry_run: bool = False,
    ):
        self.store = store
        self.run_id = run_id
        self.writes_per_second = writes_per_second
        self.max_attempts = max_attempts
        self.dry_run = dry_run

    def plan(self, target: Target) -> Plan:
        state = self.store.load(target.name)
        in_doubt = self.store.inflight(target.name)
        ops: list[Op] = []
        unchanged = 0
        parked: list[str] = []
        for row in target.rows():
            decision = decide(target, row, state.get(row.key))
            doubt = row.key in in_doubt
            if decision is None and doubt and row.desired is not None:
                decision = (
                    OpKind.UPDATE if row.observed is not None else OpKind.CREATE,
                    "interrupted before its result was recorded",
                )
            if decision is None:
                unchanged += 1
            elif decision[0] is OpKind.PARKED:
                parked.append(row.key)
            else:
                ops.append(Op(decision[0], decision[1], row, in_doubt=doubt))
        plan = Plan(target.name, ops, unchanged, parked)
        counts = plan.counts()
        log.info("%s plan: %s", target.name, ", ".join(f"{k} {v}" for k, v in counts.items()))
        for kind, samples in plan.samples().items():
            for s in samples:
                log.info(
                    "%s plan sample %s %s (%s): %s",
                    target.name,
                    kind,
                    s["key"],
                    s["reason"],
                    json.dumps(s["desired"], sort_keys=True, default=str)[:300],
                )
        self.store.start_run(
            self.run_id,
            target.name,
            self.dry_run,
            counts,
            [(op.row.key, op.kind.value, op.reason, op.row.desired) for op in ops],
        )
        failpoint("sync.plan.recorded")
        return plan

    def apply(self, target: Target, plan: Plan) -> dict[str, Any]:
        """Apply a plan (a dry run applies nothing); returns counts of what happened."""
        result: dict[str, Any] = {
            "planned": plan.counts(),
            "applied": Counter(),
            "failed": 0,
            "calls": 0,
            "dry_run": self.dry_run,
        }
        if self.dry_run:
            log.info("%s: dry run, nothing applied", target.name)
            self.store.finish_run(self.run_id, target.name, {"dry_run": True})
            result["applied"] = {}
            return result
        calls = Calls(self.store, self.run_id, target.name, RateLimiter(self.writes_per_second))
        started = time.monotonic()
        last_log = started
        for n, op in enumerate(plan.ops, 1):
            calls.bind(op.row.key, op.kind)
            try:
                if op.in_doubt and op.kind is not OpKind.ADOPT:
                    op = self._verify(target, op)
                if op.kind is not OpKind.ADOPT:
                    self.store.begin_row(target.name, op.row.key, self.run_id)
                remote_id = None if op.kind is OpKind.ADOPT else target.apply(op, calls)
            except AuthError:
                self.store.finish_run(
                    self.run_id, target.name, {"aborted": "authentication failed"}
                )
                raise
            except (ApiError, RowError) as exc:
                status = self.store.record_failure(
                    target.name, op.row.key, str(exc), self.max_attempts
                )
                result["failed"] += 1
                log.warning(
                    "%s %s %s failed (%s): %s", target.name, op.kind, op.row.key, status, exc
                )
                continue
            failpoint("sync.row.before_record")
            if op.kind is OpKind.DELETE:
                self.store.record_success(
                    target.name, op.row.key, None, None, remote_id, status="deleted"
                )
            else:
                self.store.record_success(
                    target.name,
                    op.row.key,
                    payload_hash(op.row.desired),
                    op.row.desired,
                    remote_id or op.row.context.get("remote_id"),
                )
            result["applied"][op.kind.value] += 1
            now = time.monotonic()
            if now - last_log > 10:
                last_log = now
                log.info(
                    "%s apply: %d/%d operations, %d calls",
                    target.name,
                    n,
                    len(plan.ops),
                    calls.count,
                )
        result["applied"] = dict(result["applied"])
        result["calls"] = calls.count
        result["seconds"] = round(time.monotonic() - started, 3)
        self.store.finish_run(
            self.run_id, target.name, {k: v for k, v in result.items() if k != "planned"}
        )
        log.info(
            "%s applied: %s, %d failed, %d write calls",
            target.name,
            result["applied"],
            result["failed"],
            result["calls"],
        )
        return result

    def _verify(self, target: Target, op: Op) -> Op:
        """Read a row in doubt back: adopt it if it is already as desired, else apply it from
        the remote object as it is now."""
        if not target.observable or op.row.desired is None:
            return op
        observed = target.observe(op.row)
        op.row.observed = observed
        if observed is not None and target.equal(op.row.desired, observed):
            log.info("%s %s: applied before the interruption; adopted", target.name, op.row.key)
            return Op(OpKind.ADOPT, "applied before an interrupted run recorded it", op.row)
        log.info("%s %s: not (fully) applied before the interruption", target.name, op.row.key)
        return Op(OpKind.UPDATE if observed is not None else OpKind.CREATE, op.reason, op.row)

    def sync(self, target: Target) -> dict[str, Any]:
        return self.apply(target, self.plan(target))
