"""ByteNite → lake: daily snapshots of jobs, assets and placements, and the day's metrics.

Snapshots are full listings (``snapshot_on=<day>``): the current state of every object, so the
warehouse needs no change tracking. Metrics are per metric date (``metric_date=<d>``) for every
date of the run's window; a backfill re-pulls exactly its dates (the analytics endpoint serves any
past date).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from titlevideo.bytenite.client import ByteNiteClient
from titlevideo.bytenite.vocab import (
    ASSET_CONTRACT,
    JOB_CONTRACT,
    METRIC_CONTRACT,
    PLACEMENT_CONTRACT,
)
from titlevideo.config import Lake, Rules, load_rules
from titlevideo.connections import Endpoint
from titlevideo.contract import Contract
from titlevideo.extract.bytenite_records import (
    metrics_table,
    norm_asset,
    norm_job,
    norm_metric,
    norm_placement,
    timestamp,
)
from titlevideo.extract.common import (
    EntityOutput,
    ExtractionRun,
    Invalid,
    other_partitions,
    read_manifest,
)
from titlevideo.failpoints import failpoint
from titlevideo.lake import now_utc, write_json_atomic
from titlevideo.schemas import (
    BYTENITE_ASSETS,
    BYTENITE_DAILY_METRICS,
    BYTENITE_JOBS,
    BYTENITE_PLACEMENTS,
)
from titlevideo.transport import Progress, RateLimiter, prefetch

log = logging.getLogger(__name__)


def _pull(name: str, pages: Any, output: EntityOutput, ctx: dict[str, Any] | None = None) -> None:
    progress = Progress(f"ByteNite {name}", logger=log)
    for page in prefetch(pages):
        output.take(page, now_utc(), ctx)
        progress.add(len(page))
        failpoint("extract.bytenite.page")
    progress.done()


def _pull_metrics(pages: Any, output: EntityOutput, day: date) -> None:
    """Like :func:`_pull`, with the column-wise fast path for pages that are entirely valid."""
    progress = Progress(f"ByteNite daily metrics {day}", logger=log)
    ctx = {"day": day}
    for page in prefetch(pages):
        at = now_utc()
        table = metrics_table(page, at, ctx, output.seen)
        if table is None:
            output.take(page, at, ctx)
        else:
            output.take_table(table, len(page))
        progress.add(len(page))
        failpoint("extract.metrics.page")
    progress.done()


def extract_bytenite_snapshot(endpoint: Endpoint, lake: Lake, day: date) -> dict[str, Any]:
    """Snapshot jobs, assets and placements into ``snapshot_on=<day>``."""
    client = ByteNiteClient(endpoint)
    jobs = EntityOutput(
        BYTENITE_JOBS, Contract("jobs", JOB_CONTRACT, key="id"), norm_job, lake, day
    )
    assets = EntityOutput(
        BYTENITE_ASSETS, Contract("assets", ASSET_CONTRACT, key="id"), norm_asset, lake, day
    )
    placements = EntityOutput(
        BYTENITE_PLACEMENTS,
        Contract("placements", PLACEMENT_CONTRACT, key="id"),
        norm_placement,
        lake,
        day,
    )
    with ExtractionRun(lake, "bytenite", day, [jobs, assets, placements], "snapshot") as run:
        _pull("jobs", client.jobs(), jobs)
        _pull("assets", client.assets(), assets)
        _pull("placements", client.placements(), placements)
        return run.commit(now_utc(), extra={"requests": client.calls})


#: A history catch-up in progress, beside the metric partitions it fills: written before its
#: first date is pulled and removed after its last, so a killed catch-up is resumed by the next run.
CATCH_UP_MARKER = "_catch_up.json"


@dataclass(frozen=True)
class CatchUp:
    """A trailing window of metric dates to fill; dates already complete in the lake are kept."""

    first: date
    last: date
    reason: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def catch_up_marker(lake: Lake) -> Path:
    e = BYTENITE_DAILY_METRICS
    return lake.raw / e.source / e.name / CATCH_UP_MARKER


def _read_marker(lake: Lake) -> CatchUp | None:
    try:
        raw = json.loads(catch_up_marker(lake).read_text())
        return CatchUp(
            date.fromisoformat(raw["first"]), date.fromisoformat(raw["last"]), raw["reason"]
        )
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring unreadable %s", catch_up_marker(lake))
        return None


def plan_catch_up(
    lake: Lake,
    first: date,
    last: date,
    *,
    history_days: int | None,
    default_days: int,
    backfill: bool = False,
    anchor: date | None = None,
) -> CatchUp | None:
    """The history a run of ``[first, last]`` catches up on, if any:

    * a backfill run never does (it pulls exactly its dates);
    * ``history_days`` (the DAG param) asks for that many days ending on ``last``;
    * the first run of a deployment (no metric partition outside the run's dates) takes
      ``default_days`` (the business rules' ``history.days``) ending on ``anchor`` (the
      schedule's first day, when the scheduler catches up from one) or on ``last``, and every
      day from there to ``last``: whichever day of a catch-up runs first, the history starts
      on the same day;
    * a catch-up that did not finish (its marker is in the lake) is resumed, joined with the above.
    """
    if backfill:
        return None
    wanted: CatchUp | None = None
    if history_days:
        if history_days < 1:
            raise ValueError(f"history_days must be at least 1, got {history_days}")
        wanted = CatchUp(
            last - timedelta(days=history_days - 1), last, f"history_days={history_days}"
        )
    elif not [
        d for d in other_partitions(lake, BYTENITE_DAILY_METRICS, first) if not first <= d <= last
    ]:
        end = min(anchor, last) if anchor else last
        wanted = CatchUp(
            end - timedelta(days=default_days - 1),
            last,
            f"first run: no metric date in the lake yet ({default_days} days to {end})",
        )
    left = _read_marker(lake)
    if left is None:
        return wanted
    resumed = f"resuming the unfinished catch-up {left.first}..{left.last}"
    if wanted is None:
        return CatchUp(left.first, left.last, resumed)
    return CatchUp(
        min(left.first, wanted.first), max(left.last, wanted.last), f"{wanted.reason}; {resumed}"
    )


def _earliest_data(client: ByteNiteClient) -> date | None:
    """The first day ByteNite can have analytics for: the day its first asset was created
    (metrics need a published asset). None when it has no asset at all."""
    asset = client.first_asset()
    if asset is None:
        return None
    try:
        created = timestamp(asset.get("createdAt"), "createdAt")
    except Invalid:
        created = None
    return created.date() if created is not None else date.min


class _CatchUpProgress:
    """One log line per date of a catch-up: dates done / total, rows, rate, time left."""

    def __init__(self, total: int):
        self.total = total
        self.done = 0
        self.rows = 0
        self.started = time.monotonic()

    def step(self, day: date, rows: int) -> None:
        self.done += 1
        self.rows += rows
        elapsed = max(time.monotonic() - self.started, 1e-9)
        left = (self.total - self.done) * elapsed / self.done
        log.info(
            "ByteNite history catch-up: %d/%d dates (%s: %d rows); %d rows in %.1fs, "
            "%.1f dates/s, %.0f rows/s, about %.0fs left",
            self.done,
            self.total,
            day,
            rows,
            self.rows,
            elapsed,
            self.done / elapsed,
            self.rows / elapsed,
            left,
        )


def _extract_day(client: ByteNiteClient, lake: Lake, day: date) -> dict[str, Any]:
    metrics = EntityOutput(
        BYTENITE_DAILY_METRICS,
        Contract("daily_metrics", METRIC_CONTRACT, key="assetId"),
        norm_metric,
        lake,
        day,
    )
    with ExtractionRun(lake, "bytenite", day, [metrics], "metrics") as run:
        _pull_metrics(client.daily_metrics(day, day), metrics, day)
        return run.commit(now_utc(), extra={"requests": client.calls})


def extract_bytenite_metrics(
    endpoint: Endpoint,
    lake: Lake,
    first: date,
    last: date,
    *,
    catch_up: CatchUp | None = None,
    requests_per_second: float | None = None,
) -> list[dict[str, Any]]:
    """Pull the daily metrics of every date in [first, last], one partition per metric date.

    With ``catch_up`` (see :func:`plan_catch_up`), also every date of its window that the lake
    does not hold complete yet (a committed partition with its manifest), from ByteNite's first
    asset on, at most ``requests_per_second``. Its marker is written first and removed last, so
    a killed catch-up is resumed by the next run; the dates it committed stay and are not pulled
    again, each date being its own atomic partition either way.
    """
    if last < first:
        raise ValueError(f"metric window ends ({last}) before it starts ({first})")
    limiter = RateLimiter(requests_per_second) if catch_up and requests_per_second else None
    client = ByteNiteClient(endpoint, limiter=limiter)
    run_days = _days(first, last)
    history: list[date] = []
    if catch_up is not None:
        start = catch_up.first
        earliest = _earliest_data(client)
        if earliest is None or earliest > start:
            start = catch_up.last + timedelta(days=1) if earliest is None else earliest
            log.info(
                "ByteNite has no data before %s: the catch-up starts there",
                earliest or "its first asset (it has none)",
            )
        write_json_atomic(
            catch_up_marker(lake),
            {
                "first": start.isoformat(),
                "last": catch_up.last.isoformat(),
                "reason": catch_up.reason,
                "started_at": now_utc().isoformat(),
            },
        )
        window = _days(start, catch_up.last)
        history = [
            d
            for d in window
            if not first <= d <= last and read_manifest(lake, BYTENITE_DAILY_METRICS, d) is None
        ]
        log.info(
            "ByteNite history catch-up (%s): %d date(s) of %s..%s to pull, %d already in the lake, "
            "at most %s requests/s",
            catch_up.reason,
            len(history),
            start,
            catch_up.last,
            len([d for d in window if not first <= d <= last]) - len(history),
            f"{requests_per_second:g}" if requests_per_second else "unlimited",
        )
    summaries = []
    progress = _CatchUpProgress(len(history) + len(run_days)) if history else None
    for day in sorted({*run_days, *history}):
        summary = _extract_day(client, lake, day)
        if day in history and catch_up is not None:
            summary = {**summary, "catch_up": catch_up.reason}
        summaries.append(summary)
        if progress is not None:
            progress.step(day, summary["entities"]["daily_metrics"]["written"])
    if catch_up is not None:
        catch_up_marker(lake).unlink(missing_ok=True)
    return summaries


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def extract_bytenite_metrics_run(
    endpoint: Endpoint,
    lake: Lake,
    first: date,
    last: date,
    *,
    history_days: int | None = None,
    backfill: bool = False,
    rules: Rules | None = None,
    anchor: date | None = None,
) -> list[dict[str, Any]]:
    """What a ``bytenite_extract`` run does for metrics: its dates, plus the history
    :func:`plan_catch_up` finds (business rules' ``history.days`` and pace by default)."""
    rules = rules or load_rules()
    catch_up = plan_catch_up(
        lake,
        first,
        last,
        history_days=history_days,
        default_days=rules.history_days,
        backfill=backfill,
        anchor=anchor,
    )
    return extract_bytenite_metrics(
        endpoint,
        lake,
        first,
        last,
        catch_up=catch_up,
        requests_per_second=rules.history_requests_per_second,
    )
