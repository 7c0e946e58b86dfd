"""Hand-made raw lakes for the warehouse tests, written through the real lake writer.

Records are plain dicts with every contract field present (``None`` unless given), so a fixture
reads like the rows it stands for. Each ``write_*`` call is one extraction: one partition per
entity, written with :class:`titlevideo.lake.PartitionWriter` and the contract schemas, stamped
with the given ``_extracted_at``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from titlevideo.config import Lake
from titlevideo.lake import PartitionWriter, partition_dir
from titlevideo.schemas import (
    BYTENITE_ASSETS,
    BYTENITE_DAILY_METRICS,
    BYTENITE_JOBS,
    BYTENITE_PLACEMENTS,
    CONSONANCE_MARKETING_TEXTS,
    CONSONANCE_PRODUCTS,
    CONSONANCE_WEB_LINKS,
    CONSONANCE_WORKS,
    Entity,
)


def ts(text: str) -> datetime:
    """``"2026-03-01T06:00"`` → an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _record(entity: Entity, values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(entity.schema.names)
    if unknown:
        raise KeyError(f"{entity.name}: not in the contract: {sorted(unknown)}")
    return {name: values.get(name) for name in entity.schema.names}


def work(work_id: int, title: str, **kw: Any) -> dict[str, Any]:
    values = {"work_id": work_id, "title": title, "contributions": [], "subjects": []}
    values.update(kw)
    return values


def subject(scheme: str, code: str, description: str, main: bool = False) -> dict[str, Any]:
    return {
        "scheme": scheme,
        "code": code,
        "description": description,
        "main": main,
        "parent_code": None,
    }


def product(
    product_id: int,
    work_id: int,
    isbn13: str,
    form: str,
    status: str,
    *,
    for_sale: tuple[str, ...] = (),
    not_for_sale: tuple[str, ...] = (),
    pub: date | None = None,
    **kw: Any,
) -> dict[str, Any]:
    values = {
        "product_id": product_id,
        "work_id": work_id,
        "isbn13": isbn13,
        "product_form_code": form,
        "product_type": "ElectronicAudioProduct" if form.startswith("A") else "PhysicalBookProduct",
        "publishing_status_code": status,
        "for_sale_country_codes": list(for_sale),
        "not_for_sale_country_codes": list(not_for_sale),
        "is_for_sale_worldwide": not for_sale and not not_for_sale,
        "publication_date": pub,
        "prices": [],
    }
    values.update(kw)
    return values


def marketing_text(marketing_text_id: int, work_id: int, variant: str, text: str) -> dict[str, Any]:
    return {
        "marketing_text_id": marketing_text_id,
        "work_id": work_id,
        "product_ids": [],
        "variant": variant,
        "external_text": text,
    }


def web_link(
    web_link_id: int, work_id: int, product_id: int, link: str, role: str = "02"
) -> dict[str, Any]:
    return {
        "web_link_id": web_link_id,
        "work_id": work_id,
        "product_id": product_id,
        "link": link,
        "role_code": role,
        "include_in_onix": True,
    }


def asset(
    asset_id: str,
    *,
    deliverable: str | None = "TRAILER",
    status: str = "PUBLISHED",
    work_label: str | None = None,
    isbn_label: str | None = None,
    audio_isbn_label: str | None = None,
    duration: float = 90.0,
    **kw: Any,
) -> dict[str, Any]:
    values = {
        "asset_id": asset_id,
        "job_id": f"job-{asset_id}",
        "title": f"Asset {asset_id}",
        "deliverable_type": f"DELIVERABLE_TYPE_{deliverable}" if deliverable else None,
        "label_consonance_work_id": work_label,
        "label_isbn13": isbn_label,
        "label_deliverable_type": f"DELIVERABLE_TYPE_{deliverable}" if deliverable else None,
        "label_audio_product_isbn13": audio_isbn_label,
        "asset_url": f"https://media.bytenite.example/v1/assets/{asset_id}/master.mp4",
        "thumbnail_url": f"https://media.bytenite.example/v1/assets/{asset_id}/thumbnail.jpg",
        "duration_seconds": duration,
        "format": "ASSET_FORMAT_MP4",
        "width": 1920,
        "height": 1080,
        "publishing_status": f"PUBLISHING_STATUS_{status}",
    }
    values.update(kw)
    return values


def job(job_id: str, state: str = "COMPLETE", **kw: Any) -> dict[str, Any]:
    values = {
        "job_id": job_id,
        "name": job_id,
        "template_id": "video-transcoding@v0.2",
        "state": f"JOB_STATE_{state}",
    }
    values.update(kw)
    return values


def placement(
    placement_id: str,
    asset_id: str,
    channel: str,
    state: str = "ENABLED",
    *,
    whitelist: tuple[str, ...] = (),
    blacklist: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "placement_id": placement_id,
        "asset_id": asset_id,
        "channel": f"PLACEMENT_CHANNEL_{channel}",
        "regions_whitelist": list(whitelist),
        "regions_blacklist": list(blacklist),
        "state": f"PLACEMENT_STATE_{state}",
    }


def metric(
    asset_id: str,
    channel: str,
    country: str,
    views: int,
    *,
    unique_viewers: int | None = None,
    watch_time_seconds: int | None = None,
    completion_rate: float = 0.5,
    likes: int = 0,
    comments: int = 0,
    shares: int = 0,
) -> dict[str, Any]:
    uv = views if unique_viewers is None else unique_viewers
    wt = views * 30 if watch_time_seconds is None else watch_time_seconds
    return {
        "asset_id": asset_id,
        "channel": f"PLACEMENT_CHANNEL_{channel}",
        "country": country,
        "views": views,
        "unique_viewers": uv,
        "watch_time_seconds": wt,
        "avg_view_duration_seconds": wt / views if views else 0.0,
        "completion_rate": completion_rate,
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "engagement_rate": (likes + comments + shares) / views if views else 0.0,
    }


class LakeBuilder:
    """Writes extractions into ``<root>/raw`` the way the extract jobs do."""

    def __init__(self, root: Path):
        self.lake = Lake(root)

    def _write(
        self, entity: Entity, value: date, extracted_at: datetime, rows: list[dict[str, Any]]
    ) -> Path:
        directory = partition_dir(
            self.lake.raw, entity.source, entity.name, entity.partition_key, value
        )
        with PartitionWriter(directory, entity.schema) as writer:
            writer.write(_record(entity, {**r, "_extracted_at": extracted_at}) for r in rows)
            return writer.commit()

    def consonance(
        self,
        extracted_on: date,
        extracted_at: datetime,
        *,
        works: list[dict[str, Any]],
        products: list[dict[str, Any]] = (),  # type: ignore[assignment]
        marketing_texts: list[dict[str, Any]] = (),  # type: ignore[assignment]
        web_links: list[dict[str, Any]] = (),  # type: ignore[assignment]
    ) -> None:
        """One Consonance change batch: the changed works with all their children."""
        self._write(CONSONANCE_WORKS, extracted_on, extracted_at, list(works))
        self._write(CONSONANCE_PRODUCTS, extracted_on, extracted_at, list(products))
        self._write(CONSONANCE_MARKETING_TEXTS, extracted_on, extracted_at, list(marketing_texts))
        self._write(CONSONANCE_WEB_LINKS, extracted_on, extracted_at, list(web_links))

    def bytenite_snapshot(
        self,
        snapshot_on: date,
        extracted_at: datetime,
        *,
        assets: list[dict[str, Any]],
        placements: list[dict[str, Any]] = (),  # type: ignore[assignment]
        jobs: list[dict[str, Any]] | None = None,
    ) -> None:
        """One full ByteNite snapshot (jobs default to one COMPLETE job per asset)."""
        if jobs is None:
            jobs = [job(a["job_id"]) for a in assets if a.get("job_id")]
        self._write(BYTENITE_JOBS, snapshot_on, extracted_at, jobs)
        self._write(BYTENITE_ASSETS, snapshot_on, extracted_at, list(assets))
        self._write(BYTENITE_PLACEMENTS, snapshot_on, extracted_at, list(placements))

    def metrics(
        self, metric_date: date, extracted_at: datetime, rows: list[dict[str, Any]]
    ) -> Path:
        """One complete metric-date partition."""
        return self._write(
            BYTENITE_DAILY_METRICS,
            metric_date,
            extracted_at,
            [{**r, "metric_date": metric_date} for r in rows],
        )
