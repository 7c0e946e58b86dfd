"""ByteNite records -> raw rows: each entity's normaliser (checked values, Arrow-ready dicts) and
the column-wise fast path for pages of daily metrics. The extraction flows are in
:mod:`titlevideo.extract.bytenite`.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from titlevideo import codes
from titlevideo.bytenite import vocab
from titlevideo.bytenite.vocab import (
    METRIC_CONTRACT,
)
from titlevideo.extract.common import (
    Invalid,
)
from titlevideo.schemas import (
    BYTENITE_DAILY_METRICS,
)


def timestamp(value: str | None, field_name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise Invalid(field_name, f"not an RFC 3339 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise Invalid(field_name, f"timestamp without a time zone: {value!r}")
    return parsed


def _int(value: Any, field_name: str, *, minimum: int | None = 0) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid(field_name, f"not an integer: {value!r}") from None
    if minimum is not None and number < minimum:
        raise Invalid(field_name, f"negative value {number}")
    return number


def _uuid(value: str, field_name: str) -> str:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        raise Invalid(field_name, f"not a UUID: {value!r}") from None
    return value


def _labels(labels: dict[str, Any] | None) -> dict[str, Any]:
    labels = labels or {}
    for key, value in labels.items():
        if not isinstance(value, str):
            raise Invalid(
                f"labels.{key}", f"label values must be strings, got {type(value).__name__}"
            )
    return {
        "label_consonance_work_id": labels.get("consonanceWorkId"),
        "label_isbn13": labels.get("isbn13"),
        "label_deliverable_type": labels.get("deliverableType"),
        "label_audio_product_isbn13": labels.get("audioProductIsbn13"),
        "labels_json": json.dumps(labels, sort_keys=True),
    }


def _regions(regions: dict[str, Any] | None) -> tuple[list[str], list[str]]:
    regions = regions or {}
    known = codes.country_codes()
    out = []
    for key in ("whitelist", "blacklist"):
        values = regions.get(key) or []
        if not isinstance(values, list):
            raise Invalid(f"regions.{key}", "not a list")
        bad = [v for v in values if v not in known]
        if bad:
            raise Invalid(f"regions.{key}", f"unknown country code(s) {bad}")
        out.append(list(values))
    return out[0], out[1]


def norm_job(j: dict[str, Any], at: datetime, ctx: dict[str, Any]) -> dict[str, Any]:
    return {
        "job_id": _uuid(j["id"], "id"),
        "name": j.get("name"),
        "template_id": j.get("templateId"),
        "state": j.get("state"),
        **_labels(j.get("labels")),
        "created_at": timestamp(j.get("createdAt"), "createdAt"),
        "submitted_at": timestamp(j.get("submittedAt"), "submittedAt"),
        "started_at": timestamp(j.get("startedAt"), "startedAt"),
        "ended_at": timestamp(j.get("endedAt"), "endedAt"),
        "error_message": j.get("errorMessage"),
        "_extracted_at": at,
    }


def norm_asset(a: dict[str, Any], at: datetime, ctx: dict[str, Any]) -> dict[str, Any]:
    if a["publishingStatus"] not in vocab.WIRE_PUBLISHING_STATUSES:
        raise Invalid("publishingStatus", f"unknown publishing status {a['publishingStatus']!r}")
    if (
        a.get("deliverableType") is not None
        and a["deliverableType"] not in vocab.WIRE_DELIVERABLE_TYPES
    ):
        raise Invalid("deliverableType", f"unknown deliverable type {a['deliverableType']!r}")
    duration = a.get("durationSeconds")
    if duration is not None and duration < 0:
        raise Invalid("durationSeconds", f"negative duration {duration}")
    for dim in ("width", "height"):
        if a.get(dim) is not None and a[dim] <= 0:
            raise Invalid(dim, f"non-positive {dim} {a[dim]}")
    metadata = a.get("metadata")
    return {
        "asset_id": _uuid(a["id"], "id"),
        "job_id": a.get("jobId"),
        "title": a.get("title"),
        "deliverable_type": a.get("deliverableType"),
        **_labels(a.get("labels")),
        "metadata_json": json.dumps(metadata, sort_keys=True) if metadata is not None else None,
        "asset_url": a.get("assetUrl"),
        "thumbnail_url": a.get("thumbnailUrl"),
        "duration_seconds": None if duration is None else float(duration),
        "format": a.get("format"),
        "width": a.get("width"),
        "height": a.get("height"),
        "video_codec": a.get("videoCodec"),
        "audio_codec": a.get("audioCodec"),
        "bitrate_kbps": a.get("bitrateKbps"),
        "size_bytes": _int(a.get("sizeBytes"), "sizeBytes"),
        "publishing_status": a["publishingStatus"],
        "created_at": timestamp(a.get("createdAt"), "createdAt"),
        "updated_at": timestamp(a.get("updatedAt"), "updatedAt"),
        "published_at": timestamp(a.get("publishedAt"), "publishedAt"),
        "_extracted_at": at,
    }


def norm_placement(p: dict[str, Any], at: datetime, ctx: dict[str, Any]) -> dict[str, Any]:
    if p["channel"] not in vocab.WIRE_CHANNELS:
        raise Invalid("channel", f"unknown channel {p['channel']!r}")
    if p["state"] not in vocab.WIRE_PLACEMENT_STATES:
        raise Invalid("state", f"unknown placement state {p['state']!r}")
    whitelist, blacklist = _regions(p.get("regions"))
    return {
        "placement_id": _uuid(p["id"], "id"),
        "asset_id": p["assetId"],
        "channel": p["channel"],
        "regions_whitelist": whitelist,
        "regions_blacklist": blacklist,
        "state": p["state"],
        "error_message": p.get("errorMessage"),
        "enabled_at": timestamp(p.get("enabledAt"), "enabledAt"),
        "disabled_at": timestamp(p.get("disabledAt"), "disabledAt"),
        "created_at": timestamp(p.get("createdAt"), "createdAt"),
        "updated_at": timestamp(p.get("updatedAt"), "updatedAt"),
        "_extracted_at": at,
    }


def norm_metric(m: dict[str, Any], at: datetime, ctx: dict[str, Any]) -> dict[str, Any]:
    try:
        day = date.fromisoformat(m["date"])
    except ValueError:
        raise Invalid("date", f"not a date: {m['date']!r}") from None
    if day != ctx["day"]:
        raise Invalid("date", f"row dated {day} in the extraction of {ctx['day']}")
    if m["channel"] not in vocab.WIRE_CHANNELS:
        raise Invalid("channel", f"unknown channel {m['channel']!r}")
    if m["country"] != "ZZ" and m["country"] not in codes.country_codes():
        raise Invalid("country", f"unknown country code {m['country']!r}")
    views = _int(m.get("views"), "views")
    unique = _int(m.get("uniqueViewers"), "uniqueViewers")
    if views is not None and unique is not None and unique > views:
        raise Invalid("uniqueViewers", f"more unique viewers ({unique}) than views ({views})")
    completion = m.get("completionRate")
    if completion is not None and not 0 <= completion <= 1:
        raise Invalid("completionRate", f"completion rate {completion} outside 0..1")
    engagement = m.get("engagementRate")
    if engagement is not None and engagement < 0:
        raise Invalid("engagementRate", f"negative engagement rate {engagement}")
    avg = m.get("avgViewDurationSeconds")
    if avg is not None and avg < 0:
        raise Invalid("avgViewDurationSeconds", f"negative average view duration {avg}")
    return {
        "metric_date": day,
        "asset_id": m["assetId"],
        "channel": m["channel"],
        "country": m["country"],
        "views": views,
        "unique_viewers": unique,
        "watch_time_seconds": _int(m.get("watchTimeSeconds"), "watchTimeSeconds"),
        "avg_view_duration_seconds": avg,
        "completion_rate": completion,
        "likes": _int(m.get("likes"), "likes"),
        "comments": _int(m.get("comments"), "comments"),
        "shares": _int(m.get("shares"), "shares"),
        "engagement_rate": engagement,
        "_extracted_at": at,
    }


_METRIC_NAMES = frozenset(f.name for f in METRIC_CONTRACT)
_METRIC_INT64 = (
    ("views", "views"),
    ("uniqueViewers", "unique_viewers"),
    ("watchTimeSeconds", "watch_time_seconds"),
    ("likes", "likes"),
    ("comments", "comments"),
    ("shares", "shares"),
)
_NUMBER_TYPES = frozenset((int, float))


def metrics_table(
    page: list[Any], at: datetime, ctx: dict[str, Any], seen: set[tuple[Any, ...]]
) -> pa.Table | None:
    """A page of metric records as an Arrow table of the raw schema, column by column.

    The fast path of the per-record ``contract.check`` + :func:`norm_metric`: it returns a table
    only when every record passes every check of that path (exact contract fields, no nulls, the
    run's date, known channel and country, integers that ``int()`` reads, no negative count, no
    more unique viewers than views, rates in range, no duplicate key), so the rows are exactly
    the ones that path would write; otherwise None and nothing changes (``seen`` included), and
    the caller takes the page record by record (drift, quarantine, contract errors).
    """
    import numpy as np

    n = len(page)
    if not n or not all(type(r) is dict for r in page):
        return None
    keys = page[0].keys()
    if keys != _METRIC_NAMES or not all(r.keys() == keys for r in page):
        return None
    col = {name: [r[name] for r in page] for name in _METRIC_NAMES}
    for name in ("date", "assetId", "channel", "country"):
        if set(map(type, col[name])) != {str}:
            return None
    day: date = ctx["day"]
    if col["date"].count(day.isoformat()) != n:
        return None
    if not set(col["channel"]) <= vocab.WIRE_CHANNELS:
        return None
    countries = set(col["country"])
    countries.discard("ZZ")
    if not countries <= codes.country_codes():
        return None
    ints: dict[str, list[int]] = {}
    try:
        for wire, name in _METRIC_INT64:
            kinds = set(map(type, col[wire]))
            if kinds == {str}:
                values = list(map(int, col[wire]))
            elif kinds == {int}:
                values = col[wire]
            else:
                return None
            if min(values) < 0:
                return None
            ints[name] = values
    except ValueError:
        return None
    floats: dict[str, np.ndarray] = {}
    for wire in ("avgViewDurationSeconds", "completionRate", "engagementRate"):
        if not set(map(type, col[wire])) <= _NUMBER_TYPES:
            return None
        floats[wire] = np.asarray(col[wire], dtype=np.float64)
        if not (floats[wire] >= 0).all():
            return None
    if not (floats["completionRate"] <= 1).all():
        return None
    try:
        views = pa.array(ints["views"], pa.int64())
        unique = pa.array(ints["unique_viewers"], pa.int64())
        other = {name: pa.array(ints[name], pa.int64()) for name in ints}
    except (OverflowError, pa.ArrowException):
        return None
    if (unique.to_numpy() > views.to_numpy()).any():
        return None
    keys_ = set(
        zip(
            [day] * n,
            map(sys.intern, col["assetId"]),
            map(sys.intern, col["channel"]),
            map(sys.intern, col["country"]),
            strict=True,
        )
    )
    if len(keys_) != n or not seen.isdisjoint(keys_):
        return None
    seen |= keys_
    schema = BYTENITE_DAILY_METRICS.schema
    columns = {
        "metric_date": pa.repeat(pa.scalar(day, pa.date32()), n),
        "asset_id": pa.array(col["assetId"], pa.string()),
        "channel": pa.array(col["channel"], pa.string()),
        "country": pa.array(col["country"], pa.string()),
        "views": views,
        "unique_viewers": unique,
        "watch_time_seconds": other["watch_time_seconds"],
        "avg_view_duration_seconds": pa.array(floats["avgViewDurationSeconds"], pa.float64()),
        "completion_rate": pa.array(floats["completionRate"], pa.float64()),
        "likes": other["likes"],
        "comments": other["comments"],
        "shares": other["shares"],
        "engagement_rate": pa.array(floats["engagementRate"], pa.float64()),
        "_extracted_at": pa.repeat(pa.scalar(at, schema.field("_extracted_at").type), n),
    }
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)
