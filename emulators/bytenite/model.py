"""Records of the extension (assets, placements) as timelines: seeded history plus writes on top.

An attribute's value on date T is the last event dated on or before T. Seeded events (the video
team's hand-made history, or the nightly thumbnail batch for pipeline-made assets) are kept only
up to the date of the first write to that attribute: once the integration has touched an asset's
status or a placement's state, it owns that attribute from then on. Writes are dated with the
emulated clock date of the call, so the history before it never changes.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from emulators.catalog import COUNTRY_CODES, LegacyVideo

from . import wire

#: Country axis of the analytics: the world's 40 countries, then "ZZ" (unknown) at index 40.
COUNTRY_AXIS: tuple[str, ...] = (*COUNTRY_CODES, "ZZ")
COUNTRY_INDEX = {c: n for n, c in enumerate(COUNTRY_AXIS)}
ZZ_BIT = 1 << 40
ALL_KNOWN_BITS = (1 << 40) - 1

#: Thumbnails are made by a nightly batch at 02:00 UTC: an asset whose job completed on day D
#: becomes READY at D+1 02:00 (the emulator's rule; ByteNite documented nothing about it).
THUMBNAIL_BATCH_AT = time(2, 0)


def region_mask(
    whitelist: tuple[str, ...] | list[str], blacklist: tuple[str, ...] | list[str]
) -> int:
    """Countries a placement plays in, as bits over COUNTRY_AXIS (ZZ only when whitelist is empty)."""
    if whitelist:
        bits = 0
        for c in whitelist:
            n = COUNTRY_INDEX.get(c)
            if n is not None and n < 40:
                bits |= 1 << n
    else:
        bits = ALL_KNOWN_BITS | ZZ_BIT
    for c in blacklist:
        n = COUNTRY_INDEX.get(c)
        if n is not None and n < 40:
            bits &= ~(1 << n)
    return bits


def stable_minutes(key: str, span: int) -> int:
    """A deterministic number of minutes in [0, span) for a record (times of day of seeded events)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest()) % span


def at_time(day: date, hh: int, minutes: int = 0) -> datetime:
    return datetime.combine(day, time(hh), UTC) + timedelta(minutes=minutes)


ASSET_NAMESPACE_NOTE = "asset id = uuid5(UUID(jobId), 'asset')"


def asset_id_for_job(job_id: str) -> str:
    """The id of the one VideoAsset a completed video job makes (deterministic)."""
    return str(uuid.uuid5(uuid.UUID(job_id), "asset"))


# --------------------------------------------------------------------------------------------
# Assets
# --------------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Asset:
    idx: int
    id: str
    job_id: str
    created_at: datetime
    ready_at: datetime
    deliverable: str | None  # DELIVERABLE_TYPE_* or None
    labels: dict[str, str]
    result_name: str
    duration: float
    fmt: str  # ASSET_FORMAT_*
    width: int
    height: int
    video_codec: str
    audio_codec: str
    bitrate_kbps: int
    legacy: LegacyVideo | None = None
    title0: str | None = None
    metadata0: dict[str, Any] | None = None  # pipeline-made assets
    metadata_blob: bytes | None = None  # legacy assets: their seeded metadata as compact JSON
    published_at: datetime | None = None  # seeded (legacy) publication
    unpublished_at: datetime | None = None
    status_writes: list[tuple[date, str, datetime]] | None = None
    title_writes: list[tuple[date, str, datetime]] | None = None
    metadata_writes: list[tuple[date, dict[str, Any] | None, datetime]] | None = None
    placements: list[Placement] = field(default_factory=list)

    @property
    def created_on(self) -> date:
        return self.created_at.date()

    @property
    def size_bytes(self) -> int:
        return int(self.duration * self.bitrate_kbps * 125)

    @property
    def asset_url(self) -> str:
        ext = "m3u8" if self.fmt == "ASSET_FORMAT_HLS" else "mp4"
        return f"https://media.bytenite.example/v1/assets/{self.id}/master.{ext}"

    @property
    def thumbnail_url(self) -> str:
        return f"https://media.bytenite.example/v1/assets/{self.id}/thumbnail.jpg"

    def base_status_events(self) -> list[tuple[date, str, datetime]]:
        events = [
            (self.created_at.date(), wire.P_DRAFT, self.created_at),
            (self.ready_at.date(), wire.P_READY, self.ready_at),
        ]
        if self.published_at is not None:
            events.append((self.published_at.date(), wire.P_PUBLISHED, self.published_at))
        if self.unpublished_at is not None:
            events.append((self.unpublished_at.date(), wire.P_UNPUBLISHED, self.unpublished_at))
        return events

    def status_events(self) -> list[tuple[date, str, datetime]]:
        base = self.base_status_events()
        if not self.status_writes:
            return base
        first = self.status_writes[0][0]
        kept = [e for e in base if e[0] <= first]
        return sorted(kept + self.status_writes, key=lambda e: e[0])

    def status_on(self, day: date) -> str | None:
        current = None
        for d, status, _ in self.status_events():
            if d > day:
                break
            current = status
        return current

    def title_on(self, day: date, base: str) -> str:
        value = base
        for d, title, _ in self.title_writes or ():
            if d <= day:
                value = title
        return value

    def base_metadata(self) -> dict[str, Any] | None:
        if self.metadata_blob is not None:
            return json.loads(self.metadata_blob)
        return self.metadata0

    def metadata_on(self, day: date, base: dict[str, Any] | None) -> dict[str, Any] | None:
        value = base
        for d, meta, _ in self.metadata_writes or ():
            if d <= day:
                value = meta
        return value

    def updated_at_on(self, day: date) -> datetime:
        latest = self.created_at
        for d, _, t in self.status_events():
            if d <= day and t > latest:
                latest = t
        for writes in (self.title_writes, self.metadata_writes):
            for d, _, t in writes or ():
                if d <= day and t > latest:
                    latest = t
        return latest

    @property
    def dirty(self) -> bool:
        return bool(self.status_writes)


# --------------------------------------------------------------------------------------------
# Placements
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PlacementView:
    """A placement as it stands on one date."""

    exists: bool
    state: str
    whitelist: tuple[str, ...]
    blacklist: tuple[str, ...]
    enabled_at: datetime | None
    disabled_at: datetime | None
    state_timestamps: dict[str, datetime]
    updated_at: datetime
    error_message: str | None


@dataclass(slots=True, eq=False)
class Placement:
    idx: int
    id: str
    asset: Asset
    channel: str  # PLACEMENT_CHANNEL_*
    created_at: datetime
    state0: str
    whitelist0: tuple[str, ...]
    blacklist0: tuple[str, ...]
    seeded_end: datetime | None = None  # legacy: disabled when the asset was unpublished
    #: writes: (date, kind, value, at); kind is "state", "regions" or "deleted".
    events: list[tuple[date, str, Any, datetime]] | None = None
    legacy: bool = False

    @property
    def created_on(self) -> date:
        return self.created_at.date()

    def _state_events(self) -> list[tuple[date, str, Any, datetime]]:
        base: list[tuple[date, str, Any, datetime]] = [
            (self.created_on, "state", self.state0, self.created_at)
        ]
        if self.seeded_end is not None:
            base.append((self.seeded_end.date(), "state", wire.S_DISABLED, self.seeded_end))
        writes = [e for e in self.events or () if e[1] == "state"]
        if writes:
            first = writes[0][0]
            base = [e for e in base if e[0] <= first]
        return sorted(base + writes, key=lambda e: e[0])

    def view_on(self, day: date) -> PlacementView:
        exists = self.created_on <= day
        state = self.state0
        enabled_at = disabled_at = None
        stamps: dict[str, datetime] = {}
        updated = self.created_at
        for d, _, value, t in self._state_events():
            if d > day:
                break
            state = value
            stamps[value] = t
            if value == wire.S_ENABLED:
                enabled_at = t
            elif value == wire.S_DISABLED:
                disabled_at = t
            updated = max(updated, t)
        wl, bl = self.whitelist0, self.blacklist0
        for d, kind, value, t in self.events or ():
            if d > day:
                continue
            if kind == "regions":
                wl, bl = value
                updated = max(updated, t)
            elif kind == "deleted":
                exists = False
        return PlacementView(exists, state, wl, bl, enabled_at, disabled_at, stamps, updated, None)

    def live_mask_on(self, day: date) -> int:
        """Country bits this placement earns views in on ``day`` (0 when it does not play)."""
        if self.created_on > day:
            return 0
        view = self.view_on(day)
        if not view.exists or view.state != wire.S_ENABLED:
            return 0
        if self.asset.status_on(day) != wire.P_PUBLISHED:
            return 0
        return region_mask(view.whitelist, view.blacklist)

    @property
    def dirty(self) -> bool:
        return bool(self.events) or self.asset.dirty or not self.legacy

    def add_event(self, day: date, kind: str, value: Any, when: datetime) -> None:
        if self.events is None:
            self.events = []
        self.events.append((day, kind, value, when))
        self.events.sort(key=lambda e: e[0])
