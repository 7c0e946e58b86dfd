"""Write-back to Consonance: flows 4 (compliance line), 5 (deliverable status), 6 (video links) and
7 (performance summary) of ARCHITECTURE.md, through the real GraphQL mutations.

* ``consonance.web_links`` - each published, matched asset is a web link on the right products
  (work-level deliverables on the work's live products, audio deliverables on their audio
  product), with the ONIX list 73 role of its deliverable and a description (deliverable,
  duration, format). Links to assets that are no longer published are deleted. Before creating,
  the product's current links are read back, so a rerun after a crash never adds a duplicate.
* ``consonance.summaries`` - one internal marketing text per work with video
  (``internalTextMarkdown``; the external text is left empty), starting with a marker line. The
  API has no update for marketing texts, so a changed summary is created anew and the previous
  one(s) deleted; an unchanged one is never touched.

Payload ``errors`` are per-row failures (logged, retried next run), never crashes.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from titlevideo.config import Lake, Rules, load_rules
from titlevideo.connections import Endpoint
from titlevideo.consonance.client import ConsonanceClient
from titlevideo.failpoints import failpoint
from titlevideo.reverse.engine import Calls, Op, RowError, Target
from titlevideo.sync.common import label, read_rev, run_targets
from titlevideo.transport import AmbiguousWrite

log = logging.getLogger(__name__)

CREATE_WEB_LINK = """
mutation CreateWebLink($input: CreateWebLinkInput!) {
  createWebLink(input: $input) { webLink { id link role description } errors { field message } clientMutationId }
}"""
UPDATE_WEB_LINK = """
mutation UpdateWebLink($input: UpdateWebLinkInput!) {
  updateWebLink(input: $input) { webLink { id link role description } errors { field message } clientMutationId }
}"""
DELETE_WEB_LINK = """
mutation DeleteWebLink($input: DeleteWebLinkInput!) {
  deleteWebLink(input: $input) { success errors { field message } clientMutationId }
}"""
CREATE_MARKETING_TEXT = """
mutation CreateMarketingText($input: CreateMarketingTextInput!) {
  createMarketingText(input: $input) { marketingText { id } errors { field message } clientMutationId }
}"""
DELETE_MARKETING_TEXT = """
mutation DeleteMarketingText($input: DeleteMarketingTextInput!) {
  deleteMarketingText(input: $input) { success errors { field message } clientMutationId }
}"""
PRODUCT_LINKS = """
query ProductLinks($search: ProductSearchAttributes) {
  product(productSearch: $search) { id webLinks { id link role description } }
}"""
WORK_TEXTS = """
query WorkTexts($search: WorkSearchAttributes) {
  work(workSearch: $search) { id marketingTexts { id internalTextMarkdown } }
}"""


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


def _verified(calls: Calls, description: str, do: Any, check: Any, attempts: int = 4) -> Any:
    """Apply a non-idempotent write exactly once: after an ambiguous failure (the write may or may
    not have happened), read the remote state back and retry only if it is not there."""
    for n in range(attempts):
        try:
            return calls(description, do)
        except AmbiguousWrite as exc:
            found = check()
            if found is not None:
                log.info("%s had applied despite %s", description, exc)
                return found
            time.sleep(min(0.2 * 2**n, 5.0))
    raise RowError(f"{description}: not applied after {attempts} attempts")


def _role_enum(code: str) -> str:
    return f"_{code}" if code[:1].isdigit() else code


class _RevTarget(Target):
    model = ""

    def __init__(self, client: ConsonanceClient, lake: Lake, rules: Rules):
        self.client = client
        self.lake = lake
        self.rules = rules

    def rows(self):
        return read_rev(self.lake.warehouse, self.model)


class WebLinksTarget(_RevTarget):
    """Key: ``<product id>|<asset URL>``. Desired ``{role, description}``; observed the same + link id."""

    name = "consonance.web_links"
    model = "rev_consonance__web_links"

    def rows(self):
        """Links to assets the ByteNite sync publishes this cycle count as desired, unless that
        publish has failed (its state says so): then the link waits for the asset."""
        from titlevideo.reverse.state import StateStore

        store = StateStore(self.lake.state / "sync.sqlite")
        try:
            refused = {
                k
                for k, st in store.load("bytenite.publishing").items()
                if st.status in ("failed", "parked")
            }
        finally:
            store.close()
        for row in read_rev(self.lake.warehouse, self.model):
            if row.context.get("projected") and row.context.get("asset_id") in refused:
                row.desired = None
            if row.desired is None and row.observed is None:
                continue
            yield row

    def equal(self, desired: dict[str, Any], observed: dict[str, Any]) -> bool:
        return desired.get("role") == observed.get("role") and desired.get(
            "description"
        ) == observed.get("description")

    def _current(self, product_id: int, link: str) -> dict[str, Any] | None:
        data = self.client.execute(PRODUCT_LINKS, {"search": {"idEq": product_id}}, "ProductLinks")
        for wl in (data.get("product") or {}).get("webLinks") or []:
            if wl.get("link") == link:
                return wl
        return None

    def apply(self, op: Op, calls: Calls) -> str | None:
        ctx = op.row.context
        product_id, link = int(ctx["product_id"]), ctx["link"]
        current = lambda: self._current(product_id, link)  # noqa: E731 - read-back for exactly-once
        if op.kind == "delete":
            link_id = int(ctx["web_link_id"])
            try:
                _verified(
                    calls,
                    "deleteWebLink",
                    lambda: _payload(
                        self.client, DELETE_WEB_LINK, "deleteWebLink", {"id": link_id}
                    ),
                    lambda: True if current() is None else None,
                )
            except RowError:
                if current() is not None:
                    raise  # still there: a real failure; otherwise it was already gone
            return str(link_id)
        desired = op.row.desired or {}
        fields = {"role": _role_enum(desired["role"]), "description": desired["description"]}
        existing = current()  # read back: a crash after a create never leads to a duplicate
        if existing is None:
            created = _verified(
                calls,
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


def _n(value: Any) -> str:
    return f"{int(value or 0):,}"


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
            "- Deliverables: "
            + "; ".join(f"{label(d['type'])} {d['status'].lower()}" for d in facts["deliverables"])
        )
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


class SummariesTarget(_RevTarget):
    """Key: work id. Desired ``{text}`` (marker line first); observed the current marked text(s)."""

    name = "consonance.summaries"
    model = "rev_consonance__summaries"

    def rows(self):
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
        data = self.client.execute(WORK_TEXTS, {"search": {"idEq": work_id}}, "WorkTexts")
        texts = (data.get("work") or {}).get("marketingTexts") or []
        return [
            t
            for t in texts
            if (t.get("internalTextMarkdown") or "").startswith(self.rules.summary_marker)
        ]

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
                keep = _verified(
                    calls,
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

            def gone(old_id: int = int(old["id"])) -> bool | None:
                return True if all(int(t["id"]) != old_id for t in self._marked(work_id)) else None

            try:
                _verified(
                    calls,
                    "deleteMarketingText",
                    lambda old_id=int(old["id"]): _payload(
                        self.client, DELETE_MARKETING_TEXT, "deleteMarketingText", {"id": old_id}
                    ),
                    gone,
                )
            except RowError:
                if gone() is None:
                    raise
        return None if keep is None else str(keep["id"])


def sync_consonance(
    endpoint: Endpoint,
    lake: Lake,
    *,
    run_id: str,
    dry_run: bool = False,
    rules: Rules | None = None,
) -> dict[str, Any]:
    rules = rules or load_rules()
    client = ConsonanceClient(endpoint)
    targets = [WebLinksTarget(client, lake, rules), SummariesTarget(client, lake, rules)]
    return run_targets(
        lake,
        targets,
        run_id=run_id,
        rules=rules,
        dry_run=dry_run,
        writes_per_second=endpoint.writes_per_second or rules.consonance_writes_per_second,
    )
