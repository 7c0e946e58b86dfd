"""Write-back to Consonance: flows 4 (compliance line), 5 (deliverable status), 6 (video links) and
7 (performance summary) of docs/architecture.md, through the real GraphQL mutations.

* ``consonance.web_links`` - each published, matched asset is a web link on the right products
  (work-level deliverables on the work's live products, audio deliverables on their audio
  product), with the ONIX list 73 role of its deliverable and a description (deliverable,
  duration, format). Links to assets that are no longer published are deleted. Before creating,
  the product's current links are read back, so a rerun after a crash never adds a duplicate.
* ``consonance.thumbnails`` - the thumbnail of each published, matched asset is a supporting
  resource of its work (``createSupportingResource`` with ``imageRemoteUrl``, captioned with the
  deliverable and the asset id; no variant or status, so Consonance's defaults apply and it is
  linked to no product, nothing reaches an ONIX feed until someone there decides). Thumbnails of
  assets no longer published are deleted. The API has no update for supporting resources; the
  work's resources are read back before creating, so a rerun never adds a duplicate, and
  duplicates of one thumbnail found there are deleted down to one.
* ``consonance.summaries`` - one internal marketing text per work with video
  (``internalTextMarkdown``; the external text is left empty), starting with a marker line. The
  API has no update for marketing texts, so a changed summary is created anew and the previous
  one(s) deleted; an unchanged one is never touched.

Payload ``errors`` are per-row failures (logged, retried next run), never crashes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any, cast

from titlevideo.config import Lake
from titlevideo.consonance.client import ConsonanceClient
from titlevideo.consonance.queries import (
    CREATE_MARKETING_TEXT,
    CREATE_SUPPORTING_RESOURCE,
    CREATE_WEB_LINK,
    DELETE_MARKETING_TEXT,
    DELETE_SUPPORTING_RESOURCE,
    DELETE_WEB_LINK,
    PRODUCT_LINKS,
    UPDATE_WEB_LINK,
    WORK_RESOURCES,
    WORK_TEXTS,
)
from titlevideo.consonance.vocab import role_enum
from titlevideo.failpoints import failpoint
from titlevideo.reverse.engine import Calls, Op, OpKind, Row, RowError
from titlevideo.reverse.run import SystemSync
from titlevideo.reverse.state import StateStore
from titlevideo.reverse.targets.base import RevTarget, label, read_rev

log = logging.getLogger(__name__)


def _payload(
    client: ConsonanceClient,
    mutation: str,
    field: str,
    input_: dict[str, Any],
    idempotent: bool = False,
) -> dict[str, Any]:
    payload = client.mutate(mutation, field, input_, idempotent=idempotent)
    errors = payload.get("errors") or []
    if errors:
        raise RowError(
            "; ".join(f"{e.get('field') or 'input'}: {e.get('message')}" for e in errors)
        )
    return payload


def _read_back(
    client: ConsonanceClient,
    query: str,
    operation: str,
    entity: str,
    entity_id: int,
    field: str,
    match: Callable[[dict[str, Any]], bool],
) -> list[dict[str, Any]]:
    """The ``field`` items of one ``entity`` (``product`` or ``work``, by id) as Consonance has
    them now, those ``match`` accepts, in Consonance's order: what a target reads back before
    writing, so a rerun after a crash never adds a duplicate."""
    data = client.execute(query, {"search": {"idEq": entity_id}}, operation)
    found = (data.get(entity) or {}).get(field) or []
    return [cast("dict[str, Any]", item) for item in found if match(item)]


class WebLinksTarget(RevTarget[ConsonanceClient]):
    """Key: ``<product id>|<asset URL>``. Desired ``{role, description}``; observed the same + link id."""

    name = "consonance.web_links"
    model = "rev_consonance__web_links"

    def rows(self) -> Iterator[Row]:
        return _unless_publish_refused(self.lake, self.model)

    def equal(self, desired: dict[str, Any], observed: dict[str, Any]) -> bool:
        return desired.get("role") == observed.get("role") and desired.get(
            "description"
        ) == observed.get("description")

    def _current(self, product_id: int, link: str) -> dict[str, Any] | None:
        found = _read_back(
            self.client,
            PRODUCT_LINKS,
            "ProductLinks",
            "product",
            product_id,
            "webLinks",
            lambda wl: wl.get("link") == link,
        )
        return found[0] if found else None

    def apply(self, op: Op, calls: Calls) -> str | None:
        ctx = op.row.context
        product_id, link = int(ctx["product_id"]), ctx["link"]

        def current() -> dict[str, Any] | None:
            return self._current(product_id, link)

        if op.kind is OpKind.DELETE:
            link_id = int(ctx["web_link_id"])
            calls.write_once(
                "deleteWebLink",
                lambda: _payload(self.client, DELETE_WEB_LINK, "deleteWebLink", {"id": link_id}),
                lambda: True if current() is None else None,
            )
            return str(link_id)
        desired = op.row.desired or {}
        fields = {"role": role_enum(desired["role"]), "description": desired["description"]}
        existing = current()  # read back: a crash after a create never leads to a duplicate
        if existing is None:
            created = calls.write_once(
                "createWebLink",
                lambda: _payload(
                    self.client,
                    CREATE_WEB_LINK,
                    "createWebLink",
                    {"productId": product_id, "link": link, "includeInOnix": False, **fields},
                )["webLink"],
                current,
            )
            return str(created["id"])
        same = (existing.get("role") or "").lstrip("_") == desired["role"] and existing.get(
            "description"
        ) == desired["description"]
        if not same:
            calls(
                "updateWebLink",
                _payload,
                self.client,
                UPDATE_WEB_LINK,
                "updateWebLink",
                {"id": int(existing["id"]), **fields},
                True,
            )
        return str(existing["id"])


def _unless_publish_refused(lake: Lake, model: str) -> Iterator[Row]:
    """The rows of ``model``: one for an asset the ByteNite sync publishes this cycle (context
    ``projected``) is desired unless that publish has failed (its state says so), then it waits
    for the asset; rows neither desired nor observed are skipped."""
    refused = _refused_publishes(lake)
    for row in read_rev(lake.warehouse, model):
        if row.context.get("projected") and row.context.get("asset_id") in refused:
            row.desired = None
        if row.desired is None and row.observed is None:
            continue
        yield row


def _refused_publishes(lake: Lake) -> set[str]:
    """Assets whose publish by the ByteNite sync has failed (their rows wait for the asset)."""
    store = StateStore(lake.state / "sync.sqlite")
    try:
        return {
            k
            for k, st in store.load("bytenite.publishing").items()
            if st.status in ("failed", "parked")
        }
    finally:
        store.close()


class ThumbnailsTarget(RevTarget[ConsonanceClient]):
    """Key: ``<work id>|<thumbnail URL>``. Desired ``{deliverable, assetId}``; observed
    ``{resourceIds}`` (the work's resources with that URL)."""

    name = "consonance.thumbnails"
    model = "rev_consonance__thumbnails"

    def rows(self) -> Iterator[Row]:
        return _unless_publish_refused(self.lake, self.model)

    def equal(self, desired: dict[str, Any], observed: dict[str, Any]) -> bool:
        return len(observed.get("resourceIds") or []) == 1

    def _current(self, work_id: int, url: str) -> list[dict[str, Any]]:
        found = _read_back(
            self.client,
            WORK_RESOURCES,
            "WorkResources",
            "work",
            work_id,
            "supportingResources",
            lambda r: url in (r.get("url"), r.get("imageRemoteUrl")),
        )
        return sorted(found, key=lambda r: int(r["id"]))

    def apply(self, op: Op, calls: Calls) -> str | None:
        work_id, url = int(op.row.context["work_id"]), op.row.context["thumbnail_url"]
        current = self._current(work_id, url)  # read back: a crash after a create adds none
        keep = None
        if op.row.desired is not None:
            desired = op.row.desired
            keep = current[0] if current else None
            if keep is None:
                caption = f"Video thumbnail: {label(desired['deliverable'])} (ByteNite asset {desired['assetId']})"
                keep = calls.write_once(
                    "createSupportingResource",
                    lambda: _payload(
                        self.client,
                        CREATE_SUPPORTING_RESOURCE,
                        "createSupportingResource",
                        {"workId": work_id, "imageRemoteUrl": url, "caption": caption},
                    )["supportingResource"],
                    lambda: next(iter(self._current(work_id, url)), None),
                )
        for old in current:
            if keep is not None and old["id"] == keep["id"]:
                continue
            old_id = int(old["id"])

            def gone(old_id: int = old_id) -> bool | None:
                ids = {int(r["id"]) for r in self._current(work_id, url)}
                return True if old_id not in ids else None

            def delete(old_id: int = old_id) -> dict[str, Any]:
                return _payload(
                    self.client,
                    DELETE_SUPPORTING_RESOURCE,
                    "deleteSupportingResource",
                    {"id": old_id},
                )

            calls.write_once("deleteSupportingResource", delete, gone)
        return None if keep is None else str(keep["id"])


def _n(value: Any) -> str:
    return f"{int(value or 0):,}"


def render_deliverable(d: dict[str, Any]) -> str:
    """``Trailer published (1:32, MP4, thumbnail https://...)``: the status always (an unpublished
    or failed asset stays visible on the title), then what ByteNite knows of the asset."""
    text = f"{label(d['type'])} {d['status'].lower()}"
    extra = []
    seconds = d.get("durationSeconds")
    if seconds is not None:
        whole = round(float(seconds))
        extra.append(f"{whole // 60}:{whole % 60:02d}")
    if d.get("format"):
        extra.append(str(d["format"]))
    if d.get("thumbnailUrl"):
        extra.append(f"thumbnail {d['thumbnailUrl']}")
    return f"{text} ({', '.join(extra)})" if extra else text


def render_readiness(readiness: dict[str, Any]) -> list[str]:
    """The readiness lines of a title in the readiness window, from its rows of
    marts.mart_launch_readiness (states and risks as they are once this cycle's sync has run)."""
    days = int(readiness["daysToPublication"])
    span = f"{abs(days)} day{'' if abs(days) == 1 else 's'}"
    when = "today" if days == 0 else f"in {span}" if days > 0 else f"{span} ago"
    items, risks = [], []
    for d in readiness.get("deliverables") or []:
        name = label(d["type"]) + (f" {d['audioIsbn13']}" if d.get("audioIsbn13") else "")
        text = f"{name} {d['state']}"
        if d.get("channels"):
            text += f" ({', '.join(label(c) for c in d['channels'])})"
        items.append(text)
        if d.get("riskReason"):
            risks.append(f"{name} {d['riskReason']}")
    return [
        f"- Launch readiness (publication {readiness['publicationDate']}, {when}): "
        + "; ".join(items),
        "- At risk: " + ("; ".join(risks) if risks else "none"),
    ]


def render_summary(facts: dict[str, Any], marker: str) -> str:
    """The performance summary text (markdown) from the facts of ``rev_consonance__summaries``."""
    lines = [
        marker,
        f"**Video performance** of *{facts['title']}* through {facts.get('asOf') or 'n/a'}",
        "",
        f"- Views: {_n(facts['views'])}; watch time {facts['watchTimeSeconds'] / 3600:,.1f} h; "
        f"completion {facts['completionRate'] * 100:.1f}%; engagement {facts['engagementRate'] * 100:.1f}%",
    ]
    if facts.get("topChannels"):
        lines.append(
            "- Top channels: "
            + "; ".join(f"{label(c['channel'])} {_n(c['views'])}" for c in facts["topChannels"])
        )
    if facts.get("topCountries"):
        lines.append(
            "- Top countries: "
            + "; ".join(f"{c['country']} {_n(c['views'])}" for c in facts["topCountries"])
        )
    lw = facts.get("launchWindow") or {}
    if lw.get("views") is not None:
        line = f"- Launch window (days {lw['startDay']} to +{lw['endDay']} around publication): {_n(lw['views'])} views"
        if lw.get("seasonAverageViews") is not None:
            line += f" ({lw['season']} average {lw['seasonAverageViews']:,.1f} over {lw['seasonTitles']} titles)"
        lines.append(line)
    if facts.get("deliverables"):
        lines.append(
            "- Deliverables: " + "; ".join(render_deliverable(d) for d in facts["deliverables"])
        )
    if facts.get("readiness"):
        lines.extend(render_readiness(facts["readiness"]))
    c = facts.get("compliance") or {}
    problems = []
    if c.get("viewsInNotForSaleCountries"):
        problems.append(
            f"{_n(c['viewsInNotForSaleCountries'])} views in not-for-sale countries "
            f"({', '.join(c.get('notForSaleCountriesWithViews') or [])})"
        )
    if c.get("publishedAssetsOfWithdrawnTitle"):
        problems.append(
            f"{_n(c['publishedAssetsOfWithdrawnTitle'])} assets still published for a withdrawn title"
        )
    lines.append("- Compliance: " + ("; ".join(problems) if problems else "no findings"))
    return "\n".join(lines)


class SummariesTarget(RevTarget[ConsonanceClient]):
    """Key: work id. Desired ``{text}`` (marker line first); observed the current marked text(s)."""

    name = "consonance.summaries"
    model = "rev_consonance__summaries"

    def rows(self) -> Iterator[Row]:
        marker = self.rules.summary_marker
        for row in read_rev(self.lake.warehouse, self.model):
            marked = [
                t
                for t in (row.observed or {}).get("texts", [])
                if (t.get("text") or "").startswith(marker)
            ]
            desired = None if row.desired is None else {"text": render_summary(row.desired, marker)}
            observed = None
            if marked:
                observed = {"text": marked[-1]["text"], "ids": [t["id"] for t in marked]}
            if desired is None and observed is None:
                continue
            row.desired, row.observed = desired, observed
            yield row

    def equal(self, desired: dict[str, Any], observed: dict[str, Any]) -> bool:
        return desired.get("text") == observed.get("text") and len(observed.get("ids") or []) == 1

    def _marked(self, work_id: int) -> list[dict[str, Any]]:
        marker = self.rules.summary_marker
        return _read_back(
            self.client,
            WORK_TEXTS,
            "WorkTexts",
            "work",
            work_id,
            "marketingTexts",
            lambda t: (t.get("internalTextMarkdown") or "").startswith(marker),
        )

    def apply(self, op: Op, calls: Calls) -> str | None:
        work_id = int(op.row.context["work_id"])
        current = self._marked(work_id)  # read back: a crash after a create leaves no duplicate
        keep = None
        if op.row.desired is not None:
            text = op.row.desired["text"]

            def find() -> dict[str, Any] | None:
                return next(
                    (t for t in self._marked(work_id) if t.get("internalTextMarkdown") == text),
                    None,
                )

            keep = next((t for t in current if t.get("internalTextMarkdown") == text), None)
            if keep is None:
                keep = calls.write_once(
                    "createMarketingText",
                    lambda: _payload(
                        self.client,
                        CREATE_MARKETING_TEXT,
                        "createMarketingText",
                        {
                            "workId": work_id,
                            "externalTextMarkdown": "",
                            "internalTextMarkdown": text,
                        },
                    )["marketingText"],
                    find,
                )
                failpoint("sync.consonance.summary.created")
        for old in current:
            if keep is not None and old["id"] == keep["id"]:
                continue
            old_id = int(old["id"])

            def gone(old_id: int = old_id) -> bool | None:
                return True if all(int(t["id"]) != old_id for t in self._marked(work_id)) else None

            def delete(old_id: int = old_id) -> dict[str, Any]:
                return _payload(
                    self.client, DELETE_MARKETING_TEXT, "deleteMarketingText", {"id": old_id}
                )

            calls.write_once("deleteMarketingText", delete, gone)
        return None if keep is None else str(keep["id"])


#: ``sync_consonance(endpoint, lake, run_id=..., dry_run=False, rules=None)``: the three targets
#: above, in this order.
sync_consonance = SystemSync(
    ConsonanceClient,
    (WebLinksTarget, ThumbnailsTarget, SummariesTarget),
    lambda rules: rules.consonance_writes_per_second,
)
