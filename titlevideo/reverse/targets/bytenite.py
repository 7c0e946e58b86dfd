"""Write-back to ByteNite: flows 1, 2, 3, 4, 5 and 8 of docs/architecture.md.

Targets, applied in this order in one run (each reads its ``rev_bytenite__*`` model):

1. ``bytenite.jobs`` - one video job per required deliverable of a launch-ready title (by tier,
   and per audio product for audio deliverables), created with a deterministic ``jobId`` and run.
   A crash between create and run is repaired by the rerun: a job of that id still NEW was
   created by the interrupted run and is only run, and an already-run job is recognised; neither
   is created twice (the create and the run go through the engine's ``write_once``).
2. ``bytenite.asset_metadata`` - asset metadata follows the title record; sent only when it differs.
3. ``bytenite.publishing`` - READY assets of Active or pre-order-ready titles are published.
4. ``bytenite.placements`` - one placement per configured channel of each published asset; regions
   follow the title's for-sale countries (audio deliverables: their audio product's), and titles
   that may not be sold anywhere (withdrawn, cancelled, recalled) have every placement disabled.
   Regions are narrowed before a placement is enabled and a placement is disabled before its
   regions are widened, so no enabled placement ever covers a not-for-sale country, even mid-run.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from titlevideo.bytenite.client import ByteNiteClient
from titlevideo.bytenite.vocab import HTTP_DATA_SOURCE, JOB_NEW, PLACEMENT_ENABLED, PUBLISHED
from titlevideo.failpoints import failpoint
from titlevideo.reverse.engine import Calls, Op, Row
from titlevideo.reverse.run import SystemSync
from titlevideo.reverse.targets.base import RevTarget, label
from titlevideo.transport import ApiError

log = logging.getLogger(__name__)

#: Namespace of the deterministic job ids (uuid5 of work, deliverable and audio product).
JOB_NAMESPACE = uuid.UUID("5b0c7e1e-7c55-4c1e-9d5f-2f1f3b7a4e61")


def job_id_for(work_id: int, deliverable: str, product_id: int | None) -> str:
    return str(uuid.uuid5(JOB_NAMESPACE, f"{work_id}:{deliverable}:{product_id or ''}"))


class JobsTarget(RevTarget[ByteNiteClient]):
    name = "bytenite.jobs"
    model = "rev_bytenite__jobs"
    deletes = False
    observable = True

    def equal(self, desired: dict[str, Any], observed: dict[str, Any]) -> bool:
        return True  # a job for this deliverable exists (made by us or by hand): nothing to request

    def _state(self, job_id: str) -> str | None:
        try:
            return (self.client.get_job(job_id).get("job") or {}).get("state")
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def observe(self, row: Row) -> dict[str, Any] | None:
        ctx = row.context
        job_id = job_id_for(ctx["work_id"], ctx["deliverable_type"], ctx.get("product_id"))
        state = self._state(job_id)
        return None if state in (None, JOB_NEW) else {"exists": True}

    def apply(self, op: Op, calls: Calls) -> str | None:
        d = op.row.desired or {}
        ctx = op.row.context
        job_id = job_id_for(ctx["work_id"], ctx["deliverable_type"], ctx.get("product_id"))
        isbn = ctx.get("audio_isbn13") or ctx.get("isbn13") or str(ctx["work_id"])
        master = self.rules.master_url_template.format(
            isbn13=isbn, deliverable=ctx["deliverable_type"].lower()
        )
        payload = {
            "jobId": job_id,
            "name": f"{ctx['deliverable_type'].lower().replace('_', '-')} {isbn}",
            "templateId": self.rules.job_template,
            "description": f"{label(ctx['deliverable_type'])} for {d.get('title')}",
            "labels": {k: v for k, v in d["labels"].items() if v is not None},
            "dataSource": {
                "dataSourceDescriptor": "url",
                "params": {"@type": HTTP_DATA_SOURCE, "url": master},
            },
            "dataDestination": {"dataSourceDescriptor": "bucket"},
            "params": {"partitioner": {}, "app": {"metadata": d.get("metadata")}, "assembler": {}},
            "config": {"taskTimeout": "3600", "jobTimeout": "86400", "isTestJob": False},
        }
        state = self._state(job_id)
        if state not in (None, JOB_NEW):
            return job_id  # created and run before (e.g. by a run that crashed before recording it)
        if state is None:  # not there yet (NEW: an interrupted run created it; only run it)
            calls.write_once(
                "create job",
                lambda: self.client.create_job(payload),
                lambda: self._state(job_id),
            )
            failpoint("sync.bytenite.job.created")
        # an earlier attempt may have run it (its answer lost on the way back)
        calls.write_once(
            "run job",
            lambda: self.client.run_job(job_id),
            lambda: None if self._state(job_id) in (None, JOB_NEW) else job_id,
        )
        return job_id


def _asset(client: ByteNiteClient, asset_id: str) -> dict[str, Any] | None:
    try:
        return client.request("GET", "asset", asset_id=asset_id).get("asset") or None
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise


class MetadataTarget(RevTarget[ByteNiteClient]):
    name = "bytenite.asset_metadata"
    model = "rev_bytenite__asset_metadata"
    deletes = False
    observable = True

    def equal(self, desired: dict[str, Any], observed: dict[str, Any]) -> bool:
        """ByteNite reports every AssetMetadata field, null when unset: a field the pipeline does
        not send compares as null (a field added to the extension is not a difference)."""
        d, o = desired.get("metadata"), observed.get("metadata")
        if not isinstance(d, dict) or not isinstance(o, dict):
            return d == o
        return all(d.get(k) == o.get(k) for k in set(d) | set(o))

    def observe(self, row: Row) -> dict[str, Any] | None:
        asset = _asset(self.client, row.context["asset_id"]) or {}
        metadata = asset.get("metadata")
        return None if metadata is None else {"metadata": metadata}

    def apply(self, op: Op, calls: Calls) -> str | None:
        asset_id = op.row.context["asset_id"]
        calls(
            "set asset metadata",
            self.client.set_asset_metadata,
            asset_id,
            (op.row.desired or {})["metadata"],
        )
        return str(asset_id)


class PublishingTarget(RevTarget[ByteNiteClient]):
    name = "bytenite.publishing"
    model = "rev_bytenite__publishing"
    deletes = False
    observable = True

    def observe(self, row: Row) -> dict[str, Any] | None:
        asset = _asset(self.client, row.context["asset_id"])
        return None if asset is None else {"publishingStatus": asset.get("publishingStatus")}

    def apply(self, op: Op, calls: Calls) -> str | None:
        asset_id = op.row.context["asset_id"]

        def published() -> str | None:
            status = (_asset(self.client, asset_id) or {}).get("publishingStatus")
            return asset_id if status == PUBLISHED else None

        calls.write_once("publish asset", lambda: self.client.publish_asset(asset_id), published)
        return str(asset_id)


def _norm_regions(regions: dict[str, Any] | None) -> dict[str, list[str]]:
    regions = regions or {}
    return {
        "whitelist": sorted(regions.get("whitelist") or []),
        "blacklist": sorted(regions.get("blacklist") or []),
    }


class PlacementsTarget(RevTarget[ByteNiteClient]):
    name = "bytenite.placements"
    model = "rev_bytenite__placements"
    deletes = False
    observable = True

    def observe(self, row: Row) -> dict[str, Any] | None:
        found = self._find(row.context["asset_id"], row.context["channel"])
        if found is None:
            return None
        row.context["placement_id"] = found["id"]
        return {
            "regions": _norm_regions(found.get("regions")),
            "enabled": found.get("state") == PLACEMENT_ENABLED,
        }

    def equal(self, desired: dict[str, Any], observed: dict[str, Any]) -> bool:
        return _norm_regions(desired.get("regions")) == _norm_regions(
            observed.get("regions")
        ) and bool(desired.get("enabled")) == bool(observed.get("enabled"))

    def _find(self, asset_id: str, channel: str) -> dict[str, Any] | None:
        for page in self.client.pages(
            "placements", params={"assetId": asset_id, "channel": channel}
        ):
            for p in page:
                if p.get("assetId") == asset_id and p.get("channel") == channel:
                    return p
        return None

    def apply(self, op: Op, calls: Calls) -> str | None:
        ctx = op.row.context
        desired = op.row.desired or {}
        regions = _norm_regions(desired.get("regions"))
        enabled = bool(desired.get("enabled"))
        placement_id = ctx.get("placement_id")
        observed = op.row.observed
        if placement_id is None:
            asset_id, channel = ctx["asset_id"], ctx["channel"]

            def create() -> dict[str, Any]:
                answer = self.client.create_placement(asset_id, channel, regions, enabled)
                return {"created": answer.get("placement") or {}}

            def find() -> dict[str, Any] | None:
                found = self._find(asset_id, channel)
                return None if found is None else {"existing": found}

            made = calls.write_once("create placement", create, find)
            if "created" in made:
                created_id = made["created"].get("id")
                return None if created_id is None else str(created_id)
            # there already (made by a run that crashed, or by this one with its answer lost):
            # brought to the desired state from what it is
            existing = made["existing"]
            placement_id = existing["id"]
            observed = {
                "regions": existing.get("regions"),
                "enabled": existing.get("state") == PLACEMENT_ENABLED,
            }
        was_enabled = bool((observed or {}).get("enabled"))
        if was_enabled and not enabled:
            calls("disable placement", self.client.disable_placement, placement_id)
            failpoint("sync.bytenite.placement.disabled")
        if _norm_regions((observed or {}).get("regions")) != regions:
            calls("set placement regions", self.client.set_placement_regions, placement_id, regions)
        if enabled and not was_enabled:
            calls("enable placement", self.client.enable_placement, placement_id)
        return str(placement_id)


#: ``sync_bytenite(endpoint, lake, run_id=..., dry_run=False, rules=None)``: the four targets
#: above, in this order.
sync_bytenite = SystemSync(
    ByteNiteClient,
    (JobsTarget, MetadataTarget, PublishingTarget, PlacementsTarget),
    lambda rules: rules.bytenite_writes_per_second,
)
