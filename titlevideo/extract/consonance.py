"""Consonance → lake: works (with their supporting resources: covers) with their products,
marketing texts and web links.

What a run pulls (docs/architecture.md, "What an extraction pulls"), for logical day ``D``:

* ``full``: the whole catalogue. Used by the first run, ``mode=full``, the rerun of a date
  whose partition is the only full extraction in the lake (so a rerun never shrinks it), and
  the first run after an upgrade that added fields (the lake's full extraction lacks them);
* ``daily``: works changed since ``D - 1`` (one day of lookback; Consonance's ``changedSince`` has
  day granularity and also fires for product/contributor changes);
* ``season``: works with a product published inside the run's window (a season backfill run).

One GraphQL pass: works are paged by ``after`` with their products, texts and links nested, and
each page is split into the four raw entities, all stamped with the page's wall time.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow.parquet as pq

from titlevideo import codes
from titlevideo.config import Lake
from titlevideo.connections import Endpoint
from titlevideo.consonance.client import ConsonanceClient
from titlevideo.consonance.queries import WORKS_QUERY
from titlevideo.consonance.vocab import (
    LINK_CONTRACT,
    PRODUCT_CONTRACT,
    TEXT_CONTRACT,
    WORK_CONTRACT,
)
from titlevideo.contract import Contract
from titlevideo.extract.common import (
    EntityOutput,
    ExtractionRun,
    Invalid,
    other_partitions,
    read_manifest,
)
from titlevideo.failpoints import failpoint
from titlevideo.lake import DATA_FILE, now_utc, partition_dir
from titlevideo.schemas import (
    CONSONANCE_MARKETING_TEXTS,
    CONSONANCE_PRODUCTS,
    CONSONANCE_WEB_LINKS,
    CONSONANCE_WORKS,
)
from titlevideo.transport import Progress, prefetch

log = logging.getLogger(__name__)

MODES = ("auto", "full", "daily", "season")
#: what one Consonance extraction writes, from one GraphQL pass
CONSONANCE_ENTITIES = (
    CONSONANCE_WORKS,
    CONSONANCE_PRODUCTS,
    CONSONANCE_MARKETING_TEXTS,
    CONSONANCE_WEB_LINKS,
)


def _countries(values: list[Any], field_name: str) -> list[str]:
    known = codes.country_codes()
    out = []
    for v in values:
        if not isinstance(v, str) or v not in known:
            raise Invalid(field_name, f"unknown country code {v!r}")
        out.append(v)
    return out


def _date(value: str | None, field_name: str, today: date) -> date | None:
    if value is None:
        return None
    parsed = codes.parse_date(value, today)
    if parsed is None:
        raise Invalid(field_name, f"impossible or malformed date {value!r}")
    return parsed


class _Normalisers:
    """Wire → row for each Consonance entity, with value checks (raise Invalid)."""

    def __init__(self, today: date):
        self.today = today

    def work(self, w: dict[str, Any], at: datetime, ctx: dict[str, Any]) -> dict[str, Any]:
        if not w["id"] or w["id"] <= 0:
            raise Invalid("id", f"non-positive id {w['id']!r}")
        title = (w.get("title") or "").strip()
        if not title:
            raise Invalid("title", "empty title")
        contributions = []
        for c in w.get("contributions") or []:
            role = codes.strip_enum_underscore(c.get("onixContributorRoleCode"))
            if not isinstance(role, str) or not codes.role_ok(role):
                raise Invalid(
                    "contributions.onixContributorRoleCode", f"unknown ONIX list 17 role {role!r}"
                )
            contact = c.get("contributor") or {}
            contributions.append(
                {
                    "contribution_id": c.get("id"),
                    "contact_id": contact.get("id"),
                    "person_name": contact.get("name"),
                    "role_code": role,
                    "sequence_number": c.get("sequenceNumber"),
                    "product_ids": list(c.get("productIds") or []),
                }
            )
        subjects = []
        for s in w.get("subjectCodes") or []:
            scheme = str(s.get("__typename") or "").upper()
            if not s.get("code"):
                raise Invalid("subjectCodes.code", "subject without a code")
            subjects.append(
                {
                    "scheme": scheme,
                    "code": s.get("code"),
                    "description": s.get("description"),
                    "main": bool(s.get("main")),
                    "parent_code": s.get("parentCode"),
                }
            )
        resources = []
        for r in w.get("supportingResources") or []:
            url = r.get("url")
            if url is not None and (not isinstance(url, str) or not codes.url_ok(url)):
                raise Invalid("supportingResources.url", f"not an http(s) URL: {url!r}")
            resources.append(
                {
                    "supporting_resource_id": r.get("id"),
                    "resource_variant": r.get("resourceVariant"),
                    "url": url,
                    "filename": r.get("filename"),
                    "image_content_type": r.get("imageContentType"),
                    "status": r.get("status"),
                    "is_processing": r.get("isProcessing"),
                    "product_ids": list(r.get("productIds") or []),
                }
            )
        imprint = w.get("imprint") or {}
        return {
            "work_id": w["id"],
            "title": title,
            "subtitle": w.get("subtitle"),
            "imprint_id": imprint.get("id"),
            "imprint_name": imprint.get("name"),
            "season_name": w.get("season"),
            "project_stage_name": w.get("projectStage"),
            "marketing_tier_name": w.get("marketingTier"),
            "authorship_description": w.get("authorshipDescription"),
            "contributions": contributions,
            "subjects": subjects,
            "supporting_resources": resources,
            "_extracted_at": at,
        }

    def product(self, p: dict[str, Any], at: datetime, ctx: dict[str, Any]) -> dict[str, Any]:
        isbn13 = (p.get("isbn") or {}).get("isbn13")
        if isbn13 is not None:
            isbn13 = isbn13.replace("-", "")
            if not codes.isbn13_ok(isbn13):
                raise Invalid("isbn.isbn13", f"invalid ISBN-13 {isbn13!r} (check digit or prefix)")
        form = codes.strip_enum_underscore(p.get("onix21ProductFormCode"))
        if form not in codes.ONIX21_PRODUCT_FORMS:
            raise Invalid("onix21ProductFormCode", f"unknown ONIX 2.1 list 7 product form {form!r}")
        status = codes.strip_enum_underscore(p.get("onixPublishingStatusCode"))
        if status not in codes.ONIX_PUBLISHING_STATUS:
            raise Invalid("onixPublishingStatusCode", f"unknown ONIX list 64 status {status!r}")
        prices = []
        currencies = codes.currency_codes()
        for pr in p.get("prices") or []:
            amount = pr.get("amount")
            if not isinstance(amount, int | float) or isinstance(amount, bool) or amount < 0:
                raise Invalid("prices.amount", f"negative or non-numeric price {amount!r}")
            if pr.get("currencyCode") not in currencies:
                raise Invalid("prices.currencyCode", f"unknown currency {pr.get('currencyCode')!r}")
            prices.append(
                {
                    "price_id": pr.get("id"),
                    "currency_code": pr.get("currencyCode"),
                    "price_type_code": codes.strip_enum_underscore(pr.get("onixPriceTypeCode")),
                    "price_qualifier_code": codes.strip_enum_underscore(
                        pr.get("onixPriceTypeQualifierCode")
                    ),
                    "amount": float(amount),
                }
            )
        return {
            "product_id": p["id"],
            "work_id": ctx["work_id"],
            "product_type": p.get("__typename"),
            "isbn13": isbn13,
            "full_title": p.get("fullTitle"),
            "subtitle": p.get("subtitle"),
            "product_form_code": form,
            "publishing_status_code": status,
            "publication_date": _date(p.get("publicationDate"), "publicationDate", self.today),
            "planned_publication_date": _date(
                p.get("plannedPublicationDate"), "plannedPublicationDate", self.today
            ),
            "sales_embargo_date": _date(p.get("salesEmbargoDate"), "salesEmbargoDate", self.today),
            "out_of_print_date": _date(p.get("outOfPrintDate"), "outOfPrintDate", self.today),
            "for_sale_country_codes": _countries(
                p.get("forSaleCountryCodes") or [], "forSaleCountryCodes"
            ),
            "not_for_sale_country_codes": _countries(
                p.get("notForSaleCountryCodes") or [], "notForSaleCountryCodes"
            ),
            "is_for_sale_worldwide": p.get("isForSaleWorldwide"),
            "sales_rights_description": p.get("salesRightsDescription"),
            "prices": prices,
            "_extracted_at": at,
        }

    def text(self, t: dict[str, Any], at: datetime, ctx: dict[str, Any]) -> dict[str, Any]:
        return {
            "marketing_text_id": t["id"],
            "work_id": ctx["work_id"],
            "product_ids": list(t.get("productIds") or []),
            "variant": t.get("variant"),
            "external_text": t.get("externalText"),
            "internal_text_markdown": t.get("internalTextMarkdown"),
            "_extracted_at": at,
        }

    def link(self, wl: dict[str, Any], at: datetime, ctx: dict[str, Any]) -> dict[str, Any]:
        url = wl.get("link")
        if not isinstance(url, str) or not codes.url_ok(url):
            raise Invalid("link", f"not an http(s) URL: {url!r}")
        role = codes.strip_enum_underscore(wl.get("role"))
        if not isinstance(role, str) or not codes.two_digit_ok(role):
            raise Invalid("role", f"unknown ONIX list 73 role {role!r}")
        return {
            "web_link_id": wl["id"],
            "work_id": ctx["work_id"],
            "product_id": ctx["product_id"],
            "link": url,
            "role_code": role,
            "description": wl.get("description"),
            "include_in_onix": wl.get("includeInOnix"),
            "_extracted_at": at,
        }


def choose_mode(lake: Lake, day: date, requested: str) -> str:
    """``auto`` → ``full`` when no other date holds a full extraction with every field this
    release extracts, else ``daily``. A full extraction written by an older release that lacked
    some of them (an upgrade added fields) does not count: a daily run re-reads only the works
    that changed, so the others would keep lacking the new fields until the whole catalogue is
    pulled again."""
    if requested not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {requested!r}")
    if requested != "auto":
        return requested
    for other in other_partitions(lake, CONSONANCE_WORKS, day):
        manifest = read_manifest(lake, CONSONANCE_WORKS, other)
        if manifest and manifest.get("mode") == "full":
            missing = missing_fields(lake, other)
            if not missing:
                return "daily"
            log.warning(
                "the full Consonance extraction of %s lacks fields this release extracts (%s): "
                "this run pulls the whole catalogue",
                other,
                ", ".join(missing),
            )
    return "full"


def missing_fields(lake: Lake, day: date) -> list[str]:
    """``entity.field`` of this release's Consonance schemas that ``day``'s partitions lack
    (a partition file that is not there lacks nothing: it was never written)."""
    missing = []
    for entity in CONSONANCE_ENTITIES:
        directory = partition_dir(lake.raw, entity.source, entity.name, entity.partition_key, day)
        try:
            found = set(pq.read_schema(directory / DATA_FILE).names)
        except FileNotFoundError:
            continue
        missing += [f"{entity.name}.{n}" for n in entity.schema.names if n not in found]
    return missing


def extract_consonance(
    endpoint: Endpoint,
    lake: Lake,
    day: date,
    *,
    mode: str = "auto",
    window: tuple[date, date] | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Extract one logical day into ``raw/consonance/*/extracted_on=<day>``; return the run summary.

    ``window`` (first, last) is the publication-date window of a ``season`` run (default: the day).
    """
    mode = choose_mode(lake, day, mode)
    today = today or datetime.now().date()
    work_search: dict[str, Any] = {}
    product_search: dict[str, Any] | None = None
    if mode == "daily":
        work_search["changedSince"] = (day - timedelta(days=1)).isoformat()
    elif mode == "season":
        first, last = window or (day, day)
        product_search = {
            "publicationDateGteq": first.isoformat(),
            "publicationDateLteq": last.isoformat(),
        }
    log.info(
        "Consonance extraction for %s: mode %s (%s%s)",
        day,
        mode,
        work_search or "whole catalogue",
        f", products published {product_search}" if product_search else "",
    )

    norm = _Normalisers(today)
    works = EntityOutput(
        CONSONANCE_WORKS, Contract("works", WORK_CONTRACT, key="id"), norm.work, lake, day
    )
    products = EntityOutput(
        CONSONANCE_PRODUCTS,
        Contract("products", PRODUCT_CONTRACT, key="id"),
        norm.product,
        lake,
        day,
    )
    texts = EntityOutput(
        CONSONANCE_MARKETING_TEXTS,
        Contract("marketing_texts", TEXT_CONTRACT, key="id"),
        norm.text,
        lake,
        day,
    )
    links = EntityOutput(
        CONSONANCE_WEB_LINKS, Contract("web_links", LINK_CONTRACT, key="id"), norm.link, lake, day
    )
    client = ConsonanceClient(endpoint)
    progress = Progress(f"Consonance works {day}", logger=log)
    with ExtractionRun(lake, "consonance", day, [products, texts, links, works], mode) as run:
        pages = client.pages(
            WORKS_QUERY,
            "works",
            "workSearch",
            work_search,
            extra_variables={"productSearch": product_search},
            operation="ExtractWorks",
        )
        for page in prefetch(pages):
            at = now_utc()
            _split_page(page, at, works, products, texts, links)
            progress.add(len(page))
            failpoint("extract.consonance.page")
        stats = progress.done()
        summary = run.commit(
            at if stats["pages"] else now_utc(), extra={"requests": client.calls, **stats}
        )
    return summary


def _split_page(
    page: list[dict[str, Any]],
    at: datetime,
    works: EntityOutput,
    products: EntityOutput,
    texts: EntityOutput,
    links: EntityOutput,
) -> None:
    """Check each work, then split it into the four entities; children of a rejected work go with it."""
    for w in page:
        works.contract.check(w)
        kept = works.take([w], at, checked=True)
        children_products = w.get("products") or []
        children_texts = w.get("marketingTexts") or []
        for p in children_products:
            products.contract.check(p)
            for wl in p.get("webLinks") or []:
                links.contract.check(wl)
        for t in children_texts:
            texts.contract.check(t)
        if not kept:
            reason = "its work was quarantined"
            for p in children_products:
                products.reject(p, reason, "work", at, {"work_id": w["id"]})
                for wl in p.get("webLinks") or []:  # quarantined too, never silently dropped
                    links.reject(
                        wl, reason, "work", at, {"work_id": w["id"], "product_id": p["id"]}
                    )
            for t in children_texts:
                texts.reject(t, reason, "work", at, {"work_id": w["id"]})
            continue
        ctx = {"work_id": w["id"]}
        good = {
            row["product_id"] for row in products.take(children_products, at, ctx, checked=True)
        }
        texts.take(children_texts, at, ctx, checked=True)
        for p in children_products:
            link_ctx = {"work_id": w["id"], "product_id": p["id"]}
            if p["id"] in good:
                links.take(p.get("webLinks") or [], at, link_ctx, checked=True)
            else:
                for wl in p.get("webLinks") or []:
                    links.reject(wl, "its product was quarantined", "product", at, link_ctx)
