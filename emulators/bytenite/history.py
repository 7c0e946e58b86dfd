"""The seeded ByteNite history: every catalogue ``LegacyVideo`` as a job, an asset and placements.

ByteNite-only derivations of the shared catalogue live here (labels by ``label_mode``, placement
regions by ``region_mode``, the metadata a title had when its video was made, launch dates and
audience scale for the analytics). :mod:`emulators.catalog` is only read.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from emulators.catalog import World, at, season_of

from . import wire
from .model import Asset, Placement, at_time, stable_minutes

#: Audience scale by marketing tier (Lead, Key, Core).
TIER_SCALE = {1: 1.0, 2: 0.3, 3: 0.08}
UNMATCHED_SCALE = 0.05

_NAMESPACE = uuid.UUID("6f1d0c52-5b7e-4f5e-9d0a-3c1b8a2e7b10")


def placement_id(asset_id: str, channel: str) -> str:
    """Seeded placement ids are deterministic: uuid5 of (asset id, channel)."""
    return str(uuid.uuid5(_NAMESPACE, f"placement:{asset_id}:{channel}"))


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "job"


def deliverable_label(deliverable: str) -> str:
    return deliverable.replace("_", " ").title().replace("Cutdown", "Cut-down")


@dataclass(slots=True)
class AudienceParams:
    """What the analytics need about an asset's title (see analytics.py)."""

    work_index: int | None
    launch: date
    scale: float


class History:
    """Seeded assets and placements, built once from the catalogue (order = work index)."""

    def __init__(self, world: World):
        self.world = world
        self.assets: list[Asset] = []
        self.placements: list[Placement] = []
        self.audience: list[AudienceParams] = []
        self.legacy_jobs: dict[str, Asset] = {}
        for i in range(world.n_works):
            spec = world.spec(i)
            for n, v in enumerate(spec.legacy_videos):
                self._add_legacy(i, spec, n, v)

    # ---- construction ----------------------------------------------------------------------

    def _add_legacy(self, i: int, spec: Any, n: int, v: Any) -> None:
        deliverable = f"DELIVERABLE_TYPE_{v.deliverable}"
        products = spec.products
        product = (
            products[v.audio_product_k if v.audio_product_k is not None else 0]
            if products
            else None
        )
        first_isbn = products[0].isbn13 if products else None
        labels: dict[str, str] = {}
        if v.label_mode == "full":
            labels = {"consonanceWorkId": str(spec.id)}
            if first_isbn:
                labels["isbn13"] = first_isbn
            labels["deliverableType"] = deliverable
            if v.audio_product_k is not None and product is not None:
                labels["audioProductIsbn13"] = product.isbn13
        elif v.label_mode == "isbn":
            labels = {"deliverableType": deliverable}
            if first_isbn:
                labels = {"isbn13": first_isbn, "deliverableType": deliverable}
        elif v.label_mode == "unknown_isbn":
            labels = {"isbn13": self.world.unknown_isbn(i, n), "deliverableType": deliverable}
        created_at = at_time(v.created_on, 9, stable_minutes(v.asset_id + ":c", 480))
        published_at = unpublished_at = None
        if v.published_on is not None:
            published_at = at_time(v.published_on, 10, stable_minutes(v.asset_id + ":p", 360))
        if v.unpublished_on is not None:
            unpublished_at = at_time(v.unpublished_on, 10, stable_minutes(v.asset_id + ":u", 360))
        fmt = "ASSET_FORMAT_HLS" if v.fmt == "HLS" else "ASSET_FORMAT_MP4"
        ext = "m3u8" if v.fmt == "HLS" else "mp4"
        slug = slugify(f"{spec.id} {v.deliverable}")
        asset = Asset(
            idx=len(self.assets),
            id=v.asset_id,
            job_id=v.job_id,
            created_at=created_at,
            ready_at=at_time(v.ready_on, 2),
            deliverable=deliverable if v.label_mode != "none" else None,
            labels=labels,
            result_name=f"out_0/{slug}_1080p.{ext}",
            duration=float(v.duration_seconds),
            fmt=fmt,
            width=v.width,
            height=v.height,
            video_codec="h264",
            audio_codec="aac",
            bitrate_kbps=4500 if v.height > v.width else (6000 if v.fmt == "HLS" else 5000),
            legacy=v,
            published_at=published_at,
            unpublished_at=unpublished_at,
        )
        self._title_and_metadata(asset)
        self.assets.append(asset)
        self.legacy_jobs[v.job_id] = asset
        self.audience.append(self.audience_for_work(i, v.audio_product_k))
        if published_at is None:
            return
        if v.region_mode == "rights" and product is not None:
            rights = at(product.rights, v.published_on) or product.rights[0][1]
            if not rights.for_sale:
                wl: tuple[str, ...] = ()
                bl = tuple(rights.not_for_sale)
            else:
                wl = tuple(c for c in rights.for_sale if c not in rights.not_for_sale)
                bl = ()
        else:
            wl, bl = (), ()
        for channel in v.channels:
            ch = f"PLACEMENT_CHANNEL_{channel}"
            p = Placement(
                idx=len(self.placements),
                id=placement_id(asset.id, ch),
                asset=asset,
                channel=ch,
                created_at=published_at,
                state0=wire.S_ENABLED,
                whitelist0=wl,
                blacklist0=bl,
                seeded_end=unpublished_at,
                legacy=True,
            )
            self.placements.append(p)
            asset.placements.append(p)

    def audience_for_work(
        self, i: int | None, audio_k: int | None = None, fallback: date | None = None
    ) -> AudienceParams:
        if i is None:
            return AudienceParams(None, fallback or date(2020, 1, 1), UNMATCHED_SCALE)
        spec = self.world.spec(i)
        if audio_k is not None and audio_k < len(spec.products):
            launch = at(spec.products[audio_k].pub_date, date.max)
        else:
            books = [at(p.pub_date, date.max) for p in spec.products if not p.form.audio]
            launch = min(books) if books else spec.first_pub_date
        tier = at(spec.tier, launch) or spec.tier[0][1]
        return AudienceParams(i, launch, TIER_SCALE[tier.id])

    def locate_work(self, labels: dict[str, str]) -> tuple[int | None, int | None]:
        """(work index, audio product k) a pipeline-made asset's labels point at, if any."""
        i: int | None = None
        cw = labels.get("consonanceWorkId")
        if cw and cw.isdigit():
            i = self.world.work_index(int(cw))
        if i is None and labels.get("isbn13"):
            found = self.world.locate_isbn(labels["isbn13"])
            i = found[0] if found else None
        audio_k = None
        if i is not None and labels.get("audioProductIsbn13"):
            found = self.world.locate_isbn(labels["audioProductIsbn13"])
            if found and found[0] == i:
                audio_k = found[1]
        return i, audio_k

    # ---- what a legacy asset said about its title when it was made -----------------------------

    def _title_and_metadata(self, asset: Asset) -> None:
        """Fill a legacy asset's title and metadata (kept as compact JSON) from the work as it
        stood when the video was made, while its spec is at hand."""
        v = asset.legacy
        assert v is not None
        work = self.world.work_at(v.work_index, v.created_on)
        title = work.title if work is not None else f"Work {v.work_index}"
        asset.title0 = f"{title} | {deliverable_label(v.deliverable)}"
        meta = self.legacy_metadata(asset, work)
        asset.metadata_blob = (
            None if meta is None else json.dumps(meta, separators=(",", ":")).encode()
        )

    def legacy_metadata(self, asset: Asset, work: Any) -> dict[str, Any] | None:
        v = asset.legacy
        assert v is not None
        if v.label_mode == "none" or work is None:
            return None
        products = work.products
        rel = None
        if products:
            k = v.audio_product_k if v.audio_product_k is not None else 0
            rel = next((p for p in products if p.spec.k == k), products[0])
        pub = min((p.publication_date for p in products), default=work.spec.first_pub_date)
        genres = []
        for g in work.spec.genres:
            genres.append({"scheme": "BISAC", "code": g.bisac, "description": g.bisac_description})
            genres.append({"scheme": "THEMA", "code": g.thema, "description": g.thema_description})
        isbns = [p.spec.isbn13 for p in products]
        cw: str | None = str(work.spec.id)
        if v.label_mode == "unknown_isbn":
            isbns = [asset.labels.get("isbn13", "")]
            cw = None
        return {
            "title": work.title,
            "subtitle": work.subtitle,
            "contributors": [{"name": c.person_name, "role": c.role} for c in work.contributions],
            "imprint": work.spec.imprint.name,
            "genres": genres,
            "isbn13s": isbns,
            "publicationDate": pub.isoformat(),
            "season": season_of(pub).name,
            "territory": rel.rights.description if rel is not None else None,
            "consonanceWorkId": cw,
            "coverImageUrl": None,  # nobody attached the cover by hand
        }


def legacy_job_times(asset: Asset) -> dict[str, datetime]:
    """Timestamps of a seeded job: run by hand, finished when the master was ready."""
    end = asset.created_at
    created = end - timedelta(minutes=35)
    return {
        wire.NEW: created,
        wire.READY: created + timedelta(minutes=1),
        wire.PARTITIONING: created + timedelta(minutes=2),
        wire.RUNNING: created + timedelta(minutes=4),
        wire.ASSEMBLING: created + timedelta(minutes=30),
        wire.COMPLETE: end,
    }


def legacy_job_name(asset: Asset, world: World) -> str:
    v = asset.legacy
    assert v is not None
    return f"{world.work_id(v.work_index)} {deliverable_label(v.deliverable)} master"


def midnight(day: date) -> datetime:
    return at_time(day, 0)
