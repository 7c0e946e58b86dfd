"""The write side: Relay-classic mutations validated like the real API and kept in the overlay.

Each function takes the state, the request date and the coerced ``input`` and returns
``(payload, target_id, errors)``. Validation happens first and is all-or-nothing: a payload with
``errors`` changed nothing and carries a null object. Every call is logged by the caller.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from emulators.catalog import COVER_URL_BASE, STAGE_BY_ID, TIER_BY_ID, isbn13_is_valid

from . import codes
from .markup import markdown_to_html
from .store import (
    ConsonanceState,
    _public,
    _text_record,
    season_by_id,
    split_title,
)

Errors = list[dict[str, Any]]

_SUBJECT_RE = re.compile(r"^[A-Z0-9][A-Z0-9.+\-]*$")
_BISAC_RE = re.compile(r"^[A-Z]{3}\d{6}$")


def _err(field: str | None, message: str) -> dict[str, Any]:
    return {"field": field, "message": message}


def valid_url(value: Any) -> bool:
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and ("." in host or host == "localhost")


def _is_jpg(value: str) -> bool:
    path = urlsplit(value).path if "://" in value else value
    return path.lower().endswith((".jpg", ".jpeg"))


def _now_on(on: date) -> datetime:
    wall = datetime.now(UTC)
    return datetime.combine(on, wall.timetz())


# ------------------------------------------------------------------------------------------------
# Web links
# ------------------------------------------------------------------------------------------------


def create_web_link(
    state: ConsonanceState, on: date, inp: dict[str, Any]
) -> tuple[dict[str, Any], Any, Errors]:
    errors: Errors = []
    targets = [k for k in ("productId", "workId", "contactId") if inp.get(k) is not None]
    target = inp.get(targets[0]) if targets else None
    work_id: int | None = None
    if len(targets) != 1:
        errors.append(_err(None, "exactly one of productId, workId or contactId must be given"))
    elif targets[0] == "productId":
        if state.product(inp["productId"], on) is None:
            errors.append(_err("productId", f"product {inp['productId']} not found"))
        else:
            work_id = state.work_of_product(inp["productId"])
    elif targets[0] == "workId":
        if state.work(inp["workId"], on) is None:
            errors.append(_err("workId", f"work {inp['workId']} not found"))
        else:
            work_id = inp["workId"]
    elif not state.contact_exists(inp["contactId"]):
        errors.append(_err("contactId", f"contact {inp['contactId']} not found"))
    if not valid_url(inp.get("link")):
        errors.append(_err("link", "is not a valid URL"))
    if errors:
        return {"webLink": None}, target, errors
    with state.lock:
        link_id = state.new_id("link")
        obj = {
            "id": link_id,
            "link": inp["link"],
            "role": inp["role"],
            "roleDescription": codes.LIST_73.get(codes.code_of(inp["role"])),
            "description": inp.get("description"),
            "includeInOnix": bool(inp.get("includeInOnix") or False),
            "type": inp.get("type"),
            "note": inp.get("note"),
            "productId": inp.get("productId"),
            "workId": work_id,
            "contactId": inp.get("contactId"),
            "_on": on,
        }
        state.created["link"][link_id] = obj
        if work_id is not None:
            state.attached.setdefault(work_id, []).append(("link", link_id))
            state.touch(work_id, on)
        else:
            state.contact_links.setdefault(inp["contactId"], []).append(link_id)
            state.invalidate()
    return {"webLink": _public(obj)}, target, []


def update_web_link(
    state: ConsonanceState, on: date, inp: dict[str, Any]
) -> tuple[dict[str, Any], Any, Errors]:
    link_id = inp["id"]
    owner, rec = state.find_object("link", link_id, on)
    errors: Errors = []
    if rec is None:
        return {"webLink": None}, link_id, [_err("id", f"web link {link_id} not found")]
    if "link" in inp and not valid_url(inp["link"]):
        errors.append(_err("link", "is not a valid URL"))
    for key in ("role", "includeInOnix"):
        if key in inp and inp[key] is None:
            errors.append(_err(key, "can't be blank"))
    if errors:
        return {"webLink": None}, link_id, errors
    values = {
        k: v
        for k, v in inp.items()
        if k in ("link", "role", "description", "includeInOnix", "type", "note")
    }
    if "role" in values:
        values["roleDescription"] = codes.LIST_73.get(codes.code_of(values["role"]))
    state.add_patch("link", link_id, on, values)
    _touch_link_owner(state, link_id, owner, on)
    _, rec = state.find_object("link", link_id, on)
    return {"webLink": rec}, link_id, []


def delete_web_link(
    state: ConsonanceState, on: date, inp: dict[str, Any]
) -> tuple[dict[str, Any], Any, Errors]:
    link_id = inp["id"]
    owner, rec = state.find_object("link", link_id, on)
    if rec is None:
        return (
            {"success": False, "webLink": None},
            link_id,
            [_err("id", f"web link {link_id} not found")],
        )
    state.add_patch("link", link_id, on, {"_deleted": True})
    _touch_link_owner(state, link_id, owner, on)
    return {"success": True, "webLink": rec}, link_id, []


def _touch_link_owner(state: ConsonanceState, link_id: int, owner: int | None, on: date) -> None:
    if owner is not None:
        state.touch(owner, on)
    else:
        state.invalidate()


# ------------------------------------------------------------------------------------------------
# Marketing texts
# ------------------------------------------------------------------------------------------------


def _products_of(state: ConsonanceState, work_id: int, on: date) -> list[int]:
    w = state.work(work_id, on)
    return [p["id"] for p in w["products"]] if w else []


def _check_products(
    state: ConsonanceState, on: date, inp: dict[str, Any], errors: Errors
) -> tuple[int | None, list[int]]:
    """Resolve workId/productIds/linkToAllProducts into (work id, product ids), adding errors."""
    work_id = inp.get("workId")
    product_ids = list(inp.get("productIds") or [])
    if product_ids and inp.get("linkToAllProducts"):
        errors.append(_err("linkToAllProducts", "cannot be combined with productIds"))
    if work_id is None:
        if not product_ids:
            errors.append(_err("workId", "can't be blank when no productIds are given"))
            return None, []
        owners = {
            state.work_of_product(pid) if state.product(pid, on) is not None else None
            for pid in product_ids
        }
        if None in owners:
            missing = [pid for pid in product_ids if state.product(pid, on) is None]
            errors.append(
                _err("productIds", f"product(s) {', '.join(map(str, missing))} not found")
            )
            return None, []
        if len(owners) > 1:
            errors.append(_err("productIds", "products must all belong to one work"))
            return None, []
        work_id = owners.pop()
    elif state.work(work_id, on) is None:
        errors.append(_err("workId", f"work {work_id} not found"))
        return None, []
    own = _products_of(state, work_id, on)
    foreign = [pid for pid in product_ids if pid not in own]
    if foreign:
        errors.append(
            _err(
                "productIds",
                f"product(s) {', '.join(map(str, foreign))} do not belong to work {work_id}",
            )
        )
    if inp.get("linkToAllProducts"):
        product_ids = own
    return work_id, product_ids


def create_marketing_text(
    state: ConsonanceState, on: date, inp: dict[str, Any]
) -> tuple[dict[str, Any], Any, Errors]:
    errors: Errors = []
    work_id, product_ids = _check_products(state, on, inp, errors)
    if inp.get("reviewUrl") is not None and not valid_url(inp["reviewUrl"]):
        errors.append(_err("reviewUrl", "is not a valid URL"))
    if inp.get("fromDate") and inp.get("untilDate") and inp["fromDate"] > inp["untilDate"]:
        errors.append(_err("untilDate", "must be on or after fromDate"))
    if errors:
        return (
            {"marketingText": None},
            work_id if work_id is not None else inp.get("workId"),
            errors,
        )
    assert work_id is not None
    external = markdown_to_html(inp["externalTextMarkdown"])
    alternate_md = inp.get("alternateExternalTextMarkdown") or ""
    audiences = list(inp.get("onixContentAudienceCodes") or ["_00"])
    language = inp.get("onixLanguageCode") or "eng"
    with state.lock:
        text_id = state.new_id("text")
        obj = _text_record(
            text_id,
            work_id,
            inp.get("variant"),
            external,
            inp.get("internalTextMarkdown") or "",
            product_ids,
            approval_status=inp.get("approvalStatus"),
            externalTextMarkdown=inp["externalTextMarkdown"],
            alternateExternalText=markdown_to_html(alternate_md),
            alternateExternalTextMarkdown=alternate_md,
            fromDate=inp.get("fromDate"),
            untilDate=inp.get("untilDate"),
            datePublished=inp.get("datePublished"),
            dateReleased=inp.get("dateReleased"),
            publicationName=inp.get("publicationName"),
            reviewUrl=inp.get("reviewUrl"),
            onix2Only=bool(inp.get("onix2Only") or False),
            onixLanguageCode=language,
            language=codes.onix_code("74", language),
            onixContentAudienceCodes=audiences,
            onixContentAudiences=[codes.onix_code("154", a) for a in audiences],
            _on=on,
        )
        state.created["text"][text_id] = obj
        state.attached.setdefault(work_id, []).append(("text", text_id))
        state.touch(work_id, on)
    return {"marketingText": _public(obj)}, work_id, []


def _delete_from_work(
    state: ConsonanceState, on: date, inp: dict[str, Any], kind: str, noun: str
) -> tuple[dict[str, Any], Any, Errors]:
    """Delete the ``kind`` object ``inp["id"]`` of a work (a marketing text, a supporting
    resource): an unknown id is the payload error ``<noun> <id> not found``."""
    ident = inp["id"]
    owner, rec = state.find_object(kind, ident, on)
    if rec is None or owner is None:
        return {"success": False}, ident, [_err("id", f"{noun} {ident} not found")]
    state.add_patch(kind, ident, on, {"_deleted": True})
    state.touch(owner, on)
    return {"success": True}, ident, []


def delete_marketing_text(
    state: ConsonanceState, on: date, inp: dict[str, Any]
) -> tuple[dict[str, Any], Any, Errors]:
    return _delete_from_work(state, on, inp, "text", "marketing text")


# ------------------------------------------------------------------------------------------------
# Supporting resources
# ------------------------------------------------------------------------------------------------


def create_supporting_resource(
    state: ConsonanceState, on: date, inp: dict[str, Any], base_url: str
) -> tuple[dict[str, Any], Any, Errors]:
    errors: Errors = []
    work_id, product_ids = _check_products(state, on, inp, errors)
    remote, filename = inp.get("imageRemoteUrl"), inp.get("resourceFileName")
    if remote is None and filename is None:
        errors.append(_err(None, "either imageRemoteUrl or resourceFileName must be given"))
    elif remote is not None and filename is not None:
        errors.append(_err("resourceFileName", "cannot be combined with imageRemoteUrl"))
    elif remote is not None and not valid_url(remote):
        errors.append(_err("imageRemoteUrl", "is not a valid URL"))
    elif remote is not None and not _is_jpg(remote):
        errors.append(_err("imageRemoteUrl", "must be a JPG"))
    elif filename is not None and (
        not filename.strip() or "/" in filename or not _is_jpg(filename)
    ):
        errors.append(_err("resourceFileName", "must be a JPG file name"))
    if errors:
        return {"supportingResource": None, "uploadUrl": None}, inp.get("workId"), errors
    assert work_id is not None
    variant = inp.get("resourceVariant")
    with state.lock:
        rid = state.new_id("resource")
        name = filename or urlsplit(remote).path.rsplit("/", 1)[-1]
        upload_url = None
        if filename is not None:
            signature = hashlib.sha256(f"{state.seed}:{rid}:{filename}".encode()).hexdigest()[:32]
            upload_url = (
                f"{base_url}/_emulator/uploads/{rid}?X-Amz-Expires=900&X-Amz-Signature={signature}"
            )
        if inp.get("unlinkPrevious") and product_ids:
            w = state.work(work_id, on)
            for r in w["supportingResources"] if w else ():
                if r.get("resourceVariant") == variant and set(r.get("productIds") or ()) & set(
                    product_ids
                ):
                    keep = [pid for pid in r["productIds"] if pid not in product_ids]
                    state.add_patch("resource", r["id"], on, {"productIds": keep})
        obj = {
            "id": rid,
            "workId": work_id,
            "url": remote if remote is not None else f"{COVER_URL_BASE}/uploads/{rid}/{name}",
            "caption": inp.get("caption"),
            "copyright": inp.get("copyright"),
            "copyrightHolder": None,
            "requiredCredit": inp.get("requiredCredit"),
            "createdAt": _now_on(on),
            "filename": name,
            "imageContentType": "image/jpeg",
            "imageRemoteUrl": remote,
            "isProcessing": filename is not None,
            "productIds": product_ids,
            "resourceVariant": variant,
            "status": inp.get("status") or "DRAFT",
            "width": None,
            "height": None,
            "fileSize": None,
            "aspectRatio": None,
            "_on": on,
        }
        state.created["resource"][rid] = obj
        state.attached.setdefault(work_id, []).append(("resource", rid))
        state.touch(work_id, on)
    return {"supportingResource": _public(obj), "uploadUrl": upload_url}, work_id, []


def finish_upload(state: ConsonanceState, resource_id: int, size: int) -> bool:
    """The PUT to a presigned upload URL arrived: the resource stops processing."""
    obj = state.created["resource"].get(resource_id)
    if obj is None or not obj["isProcessing"]:
        return False
    with state.lock:
        obj.update(isProcessing=False, fileSize=size, width=1600, height=2400, aspectRatio=0.667)
        state.touch(obj["workId"], state.clock.today)
    return True


def delete_supporting_resource(
    state: ConsonanceState, on: date, inp: dict[str, Any]
) -> tuple[dict[str, Any], Any, Errors]:
    return _delete_from_work(state, on, inp, "resource", "supporting resource")


# ------------------------------------------------------------------------------------------------
# Products and works
# ------------------------------------------------------------------------------------------------


def _product_values(
    state: ConsonanceState, on: date, inp: dict[str, Any], errors: Errors, prefix: str = ""
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    pid = inp["id"]
    if "isbn" in inp:
        raw = inp["isbn"]
        if raw is None:
            values["isbn13"] = None
        else:
            isbn = raw.replace("-", "").replace(" ", "")
            if not isbn13_is_valid(isbn):
                errors.append(_err(f"{prefix}isbn", "is not a valid ISBN-13"))
            elif state.isbn_in_use(isbn, on, except_product=pid):
                errors.append(_err(f"{prefix}isbn", "has already been taken"))
            else:
                values["isbn13"] = isbn
    for key in ("title", "subtitle", "publishersReference", "prefix"):
        if key in inp:
            values[key] = inp[key]
    if "title" in values and not values["title"]:
        errors.append(_err(f"{prefix}title", "can't be blank"))
    for key in ("publicationDate", "plannedPublicationDate"):
        if key in inp:
            values[key] = inp[key]
    if "onixPublishingStatusCode" in inp:
        if inp["onixPublishingStatusCode"] is None:
            errors.append(_err(f"{prefix}onixPublishingStatusCode", "can't be blank"))
        else:
            values["onixPublishingStatusCode"] = inp["onixPublishingStatusCode"]
    if "title" in values and "prefix" not in values:
        values["prefix"] = None
    return values


def update_product(
    state: ConsonanceState, on: date, inp: dict[str, Any]
) -> tuple[dict[str, Any], Any, Errors]:
    pid = inp["id"]
    if state.product(pid, on) is None:
        return {"product": None}, pid, [_err("id", f"product {pid} not found")]
    errors: Errors = []
    values = _product_values(state, on, inp, errors)
    if errors:
        return {"product": None}, pid, errors
    _apply_product(state, pid, on, values)
    return {"product": state.product(pid, on)}, pid, []


def _apply_product(state: ConsonanceState, pid: int, on: date, values: dict[str, Any]) -> None:
    owner = state.work_of_product(pid)
    if values:
        state.add_patch("product", pid, on, values)
    if owner is not None:
        state.patched_works.add(owner)
        state.touch(owner, on)


def update_work(
    state: ConsonanceState, on: date, inp: dict[str, Any]
) -> tuple[dict[str, Any], Any, Errors]:
    wid = inp["id"]
    w = state.work(wid, on)
    if w is None:
        return {"work": None}, wid, [_err("id", f"work {wid} not found")]
    errors: Errors = []
    values: dict[str, Any] = {}
    if "title" in inp:
        if not inp["title"]:
            errors.append(_err("title", "can't be blank"))
        else:
            prefix, bare = split_title(inp["title"])
            values.update(title=inp["title"], titlePrefix=prefix, titleWithoutPrefix=bare)
    for key in ("subtitle", "acronym"):
        if key in inp:
            values[key] = inp[key]
    if "seasonId" in inp:
        season = season_by_id(inp["seasonId"]) if inp["seasonId"] is not None else None
        if inp["seasonId"] is not None and season is None:
            errors.append(_err("seasonId", f"season {inp['seasonId']} not found"))
        else:
            values.update(seasonId=inp["seasonId"], season=season.name if season else None)
    if "projectStageId" in inp:
        stage = STAGE_BY_ID.get(inp["projectStageId"])
        if stage is None:
            errors.append(
                _err("projectStageId", f"project stage {inp['projectStageId']} not found")
            )
        else:
            values.update(projectStageId=stage.id, projectStage=stage.name)
    if "marketingTierId" in inp:
        tier = TIER_BY_ID.get(inp["marketingTierId"])
        if tier is None:
            errors.append(
                _err("marketingTierId", f"marketing tier {inp['marketingTierId']} not found")
            )
        else:
            values.update(marketingTierId=tier.id, marketingTier=tier.name)
    for key, pattern in (
        ("bisacs", _BISAC_RE),
        ("themas", _SUBJECT_RE),
        ("bics", _SUBJECT_RE),
        ("nurs", re.compile(r"^\d{3}$")),
    ):
        if key in inp:
            bad = [c for c in inp[key] or () if not pattern.match(c)]
            if bad:
                errors.append(_err(key, f"invalid code(s): {', '.join(bad)}"))
            else:
                values[key] = list(inp[key] or ())
    if "inHouseSubjects" in inp:
        values["inHouseSubjects"] = list(inp["inHouseSubjects"] or ())
    if "alternativeTitles" in inp:  # a list in, a String out (the published types)
        values["alternativeTitles"] = "; ".join(inp["alternativeTitles"] or ()) or None
    product_updates: list[tuple[int, dict[str, Any]]] = []
    own = {p["id"] for p in w["products"]}
    for n, pinp in enumerate(inp.get("products") or ()):
        if pinp["id"] not in own:
            errors.append(
                _err(f"products[{n}].id", f"product {pinp['id']} does not belong to work {wid}")
            )
            continue
        product_updates.append(
            (pinp["id"], _product_values(state, on, pinp, errors, prefix=f"products[{n}]."))
        )
    if errors:
        return {"work": None}, wid, errors
    if values:
        state.add_patch("work", wid, on, values)
    for pid, pvalues in product_updates:
        _apply_product(state, pid, on, pvalues)
    state.touch(wid, on)
    return {"work": state.work(wid, on)}, wid, []


def json_safe(value: Any) -> Any:
    """Coerced GraphQL input -> JSON for the write log (dates as ISO strings)."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
