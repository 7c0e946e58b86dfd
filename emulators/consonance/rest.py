"""``GET /api/v4/products.json`` (and ``/api/products.json``): the legacy REST read view.

The product record is derived from the GraphQL record of the same product on the same date,
so the two APIs never disagree. Filters are Ransack-style ``q[<attribute>_<predicate>]`` on the
whitelist below; as in Ransack's default configuration, unknown or uncastable conditions are
ignored (the emulator lists them in the ``X-Emulator-Ignored-Params`` response header).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from emulators.catalog import COUNTRY_CODES

from . import codes
from .graphql_api import to_unit
from .store import ConsonanceState, Search, as_date

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100

_Q = re.compile(r"^q\[([a-z_]+)\](\[\])?$")
_PREDICATES = ("not_eq", "gteq", "lteq", "start", "cont", "eq", "in", "gt", "lt")


def _isbn(p: dict[str, Any]) -> str | None:
    obj = p.get("isbn")
    return obj.get("isbn13") if isinstance(obj, dict) else None


def _status(p: dict[str, Any]) -> Any:
    value = p.get("onixPublishingStatusCode")
    return codes.code_of(value) if isinstance(value, str) else value


def _form(p: dict[str, Any]) -> Any:
    value = p.get("onix21ProductFormCode")
    return codes.code_of(value) if isinstance(value, str) else value


Record = tuple[dict[str, Any], dict[str, Any]]  # (product, its work)

#: attribute -> (type, value of a (product, work) pair); "shops_id": the catalogue has no shops.
ATTRIBUTES: dict[str, tuple[str, Callable[[Record], Any]]] = {
    "id": ("int", lambda r: r[0]["id"]),
    "work_id": ("int", lambda r: r[0]["workId"]),
    "isbn": ("isbn", lambda r: _isbn(r[0])),
    "full_title": ("str", lambda r: r[0].get("fullTitle")),
    "work_title": ("str", lambda r: r[1].get("title")),
    "subtitle": ("str", lambda r: r[0].get("subtitle")),
    "pub_date": ("date", lambda r: as_date(r[0].get("publicationDate"))),
    "publishing_status": ("str", lambda r: _status(r[0])),
    "product_form": ("str", lambda r: _form(r[0])),
    "imprint_id": ("int", lambda r: (r[1].get("imprint") or {}).get("id")),
    "imprint_name": ("str", lambda r: (r[1].get("imprint") or {}).get("name")),
    "season_name": ("str", lambda r: r[1].get("season")),
    "project_stage_name": ("str", lambda r: r[1].get("projectStage")),
    "marketing_tier_name": ("str", lambda r: r[1].get("marketingTier")),
    "shops_id": ("int", lambda r: None),
}


def _cast(kind: str, raw: str) -> Any:
    if kind == "int":
        return int(raw)
    if kind == "date":
        return date.fromisoformat(raw[:10])
    if kind == "isbn":
        return raw.replace("-", "").replace(" ", "")
    return raw


def _condition(attr: str, pred: str, values: list[str]) -> Callable[[Record], bool] | None:
    kind, get = ATTRIBUTES[attr]
    try:
        if pred == "in":
            wanted = {_cast(kind, v) for raw in values for v in raw.split(",") if v != ""}
            if not wanted:  # Ransack drops a blank condition: no filter
                return lambda p: True
            return lambda p: get(p) in wanted
        ref = _cast(kind, values[-1])
    except ValueError:
        return None
    if pred == "eq":
        return lambda p: get(p) == ref
    if pred == "not_eq":
        return lambda p: get(p) != ref
    if pred == "cont":
        needle = str(ref).lower()
        return lambda p: needle in str(get(p) or "").lower()
    if pred == "start":
        prefix = str(ref).lower()
        return lambda p: str(get(p) or "").lower().startswith(prefix)
    ops = {
        "gt": lambda a, b: a > b,
        "lt": lambda a, b: a < b,
        "gteq": lambda a, b: a >= b,
        "lteq": lambda a, b: a <= b,
    }
    op = ops[pred]

    def check(p: Record) -> bool:
        value = get(p)
        try:
            return value is not None and op(value, ref)
        except TypeError:
            return False

    return check


def parse_query(
    params: list[tuple[str, str]],
) -> tuple[Search, list[Callable[[Record], bool]], list[str], tuple[Any, ...]]:
    """Ransack params -> (index-friendly Search, residual checks, ignored params, cache key)."""
    grouped: dict[str, list[str]] = {}
    ignored: list[str] = []
    for key, value in params:
        m = _Q.match(key)
        if m:
            grouped.setdefault(m.group(1), []).append(value)
        elif key not in ("page", "per_page"):
            ignored.append(key)
    search = Search()
    checks: list[Callable[[Record], bool]] = []
    for cond, values in sorted(grouped.items()):
        if cond in ("updated_at_gt", "updated_at_gteq"):  # emulator extension (flagged in the docs)
            try:
                raw = values[-1]
                since = (
                    datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
                    if "T" in raw
                    else date.fromisoformat(raw)
                )
            except ValueError:
                ignored.append(f"q[{cond}]")
                continue
            if cond == "updated_at_gt" and "T" not in values[-1]:
                since += timedelta(days=1)
            current = search.product.get("changedSince")
            search.product["changedSince"] = since if current is None else max(current, since)
            continue
        pred = next((p for p in _PREDICATES if cond.endswith("_" + p)), None)
        attr = cond[: -len(pred) - 1] if pred else None
        if attr not in ATTRIBUTES:
            ignored.append(f"q[{cond}]")
            continue
        assert pred is not None
        check = _condition(attr, pred, values)
        if check is None:
            ignored.append(f"q[{cond}]")
            continue
        checks.append(check)
        # the same conditions, given to the indexed search where it has one (an optimisation only)
        try:
            if attr == "id" and pred == "eq":
                search.product["idEq"] = int(values[-1])
            elif attr == "isbn" and pred == "eq":
                search.product["isbn13Eq"] = _cast("isbn", values[-1])
            elif attr == "pub_date" and pred in ("eq", "gt", "lt", "gteq", "lteq"):
                search.product["publicationDate" + pred.capitalize()] = _cast("date", values[-1])
        except ValueError:
            pass
    key = tuple(sorted((k, tuple(v)) for k, v in grouped.items()))
    return search, checks, ignored, key


def _dimensions(p: dict[str, Any], unit: str) -> str | None:
    values = [p.get(k) for k in ("productHeight", "productWidth", "productThickness")]
    if not all(isinstance(v, int | float) for v in values):
        return None
    shown = [to_unit(v, unit) for v in values]  # type: ignore[arg-type]
    return " × ".join(f"{v:g}" for v in shown)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def product_record(p: dict[str, Any], w: dict[str, Any]) -> dict[str, Any]:
    """The REST v4 product (reference A2.5) of a GraphQL product record and its work's."""
    isbn = _isbn(p)
    for_sale, not_for_sale = (
        p.get("forSaleCountryCodes") or [],
        p.get("notForSaleCountryCodes") or [],
    )
    if for_sale and isinstance(for_sale, list):
        unavailable = [c for c in COUNTRY_CODES if c not in for_sale or c in not_for_sale]
    else:
        unavailable = list(not_for_sale) if isinstance(not_for_sale, list) else not_for_sale
    fmt, edition = p.get("inHouseFormat") or {}, p.get("inHouseEdition") or {}
    pages = p.get("approximatePageCount")
    siblings = [
        q for q in w.get("products") or () if isinstance(q, dict) and q.get("id") != p["id"]
    ]
    return {
        "id": p["id"],
        "work_id": p["workId"],
        "full_title": p.get("fullTitle"),
        "subtitle": p.get("subtitle"),
        "pub_date": _iso(p.get("publicationDate")),
        "publishing_status": _status(p),
        "out_of_print_date": _iso(p.get("outOfPrintDate")),
        "product_form": _form(p),
        "edition_type_codes": None,
        "edition_statement": w.get("editionStatement"),
        "in_house_format": fmt.get("name"),
        "in_house_edition": edition.get("name"),
        "isbn": isbn if isbn is not None else "No ISBN",
        "product_doi": None,
        "work_doi": w.get("identifyingDoi"),
        "work_type_name": w.get("workType"),
        "season_name": w.get("season"),
        "marketing_tier_name": w.get("marketingTier"),
        "project_stage_name": w.get("projectStage"),
        "lc_control_number": w.get("lccn"),
        "in_house_work_reference": w.get("inHouseWorkReference"),
        "publishers_url": w.get("publishersUrl"),
        "imprint": (w.get("imprint") or {}).get("name"),
        "weblinks": [
            {
                "id": x.get("id"),
                "url": x.get("link"),
                "website_role": codes.code_of(x["role"])
                if isinstance(x.get("role"), str)
                else x.get("role"),
                "description": x.get("description"),
                "include_in_onix": x.get("includeInOnix"),
            }
            for x in p.get("webLinks") or ()
            if isinstance(x, dict)
        ],
        "edition_number": w.get("editionNumber"),
        "extents": {
            "page_count": pages,
            "main_content_page_count": p.get("mainContentPageCount"),
            "number_of_words": p.get("wordCount"),
            "front_matter_page_count": p.get("frontMatterPageCount"),
            "back_matter_page_count": p.get("backMatterPageCount"),
            "total_numbered_pages": p.get("totalNumberedPages"),
            "production_page_count": p.get("productionPageCount"),
            "absolute_page_count": p.get("totalNumberedPages"),
        },
        "measurements": {
            "product_dimensions_mm": _dimensions(p, "MM"),
            "product_dimensions_in": _dimensions(p, "IN"),
        },
        "authorship": p.get("productAuthorshipDescription") or p.get("authorshipDescription"),
        "main_subject_id": None,
        "series_ids": [],
        "prices": [
            {
                "id": pr.get("id"),
                "currency_code": pr.get("currencyCode"),
                "price_type": codes.code_of(pr["onixPriceTypeCode"])
                if isinstance(pr.get("onixPriceTypeCode"), str)
                else None,
                "price_qualifier": codes.code_of(pr["onixPriceTypeQualifierCode"])
                if isinstance(pr.get("onixPriceTypeQualifierCode"), str)
                else None,
                "price_amount": pr.get("amount"),
            }
            for pr in p.get("prices") or ()
            if isinstance(pr, dict)
        ],
        "marketingtexts": [
            {
                "id": t.get("id"),
                "code": _text_code(t.get("variant")),
                "external_text": t.get("externalText"),
            }
            for t in p.get("marketingTexts") or ()
            if isinstance(t, dict)
        ],
        "supportingresources": [
            {
                "id": r.get("id"),
                "caption": r.get("caption"),
                "style_urls": _style_urls(r.get("url")),
            }
            for r in p.get("supportingResources") or ()
            if isinstance(r, dict)
        ],
        "all_related_products": [
            {"relation_code": "06", "id": q["id"], "isbn": _isbn(q), "product_form": _form(q)}
            for q in siblings
        ],
        "rights_not_available_countries": unavailable,
    }


_TEXT_CODES = {
    "DESCRIPTION": "01",
    "SHORT_DESCRIPTION": "02",
    "LONG_DESCRIPTION": "03",
    "TABLE_OF_CONTENTS": "04",
    "REVIEW_QUOTE": "08",
    "BIOGRAPHICAL_NOTE": "13",
    "EXCERPT": "23",
}


def _text_code(variant: Any) -> str:
    return (
        _TEXT_CODES.get(variant, "99")
        if isinstance(variant, str) or variant is None
        else str(variant)
    )


def _style_urls(url: Any) -> list[dict[str, Any]]:
    if not isinstance(url, str):
        return []
    stem = url[: -len(".jpg")] if url.endswith(".jpg") else url
    return [
        {"style": "original", "url": url},
        {"style": "jpg_rgb_0050w", "url": f"{stem}_jpg_rgb_0050w.jpg"},
        {"style": "jpg_rgb_0650h", "url": f"{stem}_jpg_rgb_0650h.jpg"},
    ]


def page(
    state: ConsonanceState, params: list[tuple[str, str]], url: str
) -> tuple[dict[str, Any], list[str]]:
    """One page of the REST product list and the params that were ignored."""
    values = dict(params)
    try:
        page_no = max(1, int(values.get("page", "1")))
    except ValueError:
        page_no = 1
    try:
        per_page = min(MAX_PER_PAGE, max(1, int(values.get("per_page", DEFAULT_PER_PAGE))))
    except ValueError:
        per_page = DEFAULT_PER_PAGE
    on = state.clock.today
    search, checks, ignored, key = parse_query(params)

    def matching() -> list[int]:
        out = []
        for p in state.search_products(on, search, limit=None):
            w = state.work(p["workId"], on)
            if w is not None and all(c((p, w)) for c in checks):
                out.append(p["id"])
        return out

    ids = state.cached_list(on, ("rest", key), matching)
    chosen = ids[(page_no - 1) * per_page : page_no * per_page]
    products = []
    for pid in chosen:
        rec = state.product(pid, on)
        work = state.work(rec["workId"], on) if rec is not None else None
        if rec is not None and work is not None:
            products.append(product_record(rec, work))
    body = {
        "current_page": page_no,
        "per_page": per_page,
        "total_pages": math.ceil(len(ids) / per_page),
        "url": url,
        "products": products,
    }
    return body, ignored
