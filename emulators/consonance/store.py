"""The emulator's state: the catalogue as Consonance serves it on a date, plus writes on top.

Records are plain dicts keyed by GraphQL field names, holding raw values (dates as ``date``,
enums as their GraphQL names such as ``_04``). They hold no references back to their work (a
product has ``workId``; ``Product.work`` is resolved through the cache), so an evicted record is
freed at once instead of waiting for the cyclic GC. Fields that take arguments keep their raw value
under their own name (``prices``, ``publicationDate``, ``externalText``) and resolvers filter or
format it. The REST view is derived from the same records, so both APIs always agree.

Everything written on top of the catalogue — API mutations and admin fixtures — is an
*overlay* entry stamped with the clock date it was made on: the state on date T is the
catalogue on T plus every overlay entry dated on or before T, and each entry's date counts as a
change of its work for ``changedSince``.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from emulators.catalog import (
    COVER_URL_BASE,
    DEFAULT_GO_LIVE,
    GENRES,
    IMPRINTS,
    STAGE_BY_ID,
    STAGES,
    TIER_BY_ID,
    TIERS,
    ProductState,
    Season,
    WorkState,
    World,
    hyphenate,
    isbn13_check_digit,
    isbn13_is_valid,
    isbn13_to_isbn10,
    season_by_name,
    season_of,
    seasons_between,
)
from emulators.common import EmulatorCore

from . import codes
from .markup import html_to_markdown, markdown_to_html, strip_html

#: Most records any root list returns in one call (the real cap is undocumented).
PAGE_CAP = 100
#: Ids of objects created through the API or by fixtures start here, far above catalogue ids
#: (and below 2**31, GraphQL's Int limit).
NEW_ID_BASE = 900_000_000
#: Catalogue id bases of objects the catalogue module derives but does not number itself.
COVER_ID_BASE = 600_000
TEXT_ID_BASE = 700_000
LINK_ID_BASE = 800_000
#: ISBN-13s of products added by fixtures: 97817 + 7 digits + check digit (never a catalogue ISBN).
FIXTURE_ISBN_PREFIX = "97817"

ASSET_HOST = "media.bytenite.example"

_CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "AUD": "A$", "CAD": "C$", "NZD": "NZ$"}
_BISAC = {g.bisac: g.bisac_description for g in GENRES}
_THEMA = {g.thema: (g.thema_description, g.thema_parent) for g in GENRES}
_TRANSLATED_FROM = ("fre", "ger", "spa", "ita", "swe")
_PREFIXES = ("The", "A", "An")

# In-house formats and editions, one of each per catalogue product form.
_IN_HOUSE: dict[str, tuple[int, str, str]] = {
    # form: (id, format code, edition code)
    "BB": (1, "ROY", "HB"),
    "BC": (2, "BFMT", "PB"),
    "DG": (3, "EPUB", "EB"),
    "AJ": (4, "DAUD", "DA"),
    "AC": (5, "CD", "CD"),
}

_IMPRINT_DICTS = {imp.id: {"id": imp.id, "name": imp.name} for imp in IMPRINTS}

# Fields of a Work the catalogue leaves empty (the real API returns null or [] for them).
_WORK_EMPTY: dict[str, Any] = {
    "titleInOriginalLanguage": None,
    "subtitleInOriginalLanguage": None,
    "titleStatement": None,
    "abbreviatedTitle": None,
    "acronym": None,
    "identifyingDoi": None,
    "clientId": None,
    "salesforceUid": None,
    "yearOfAnnual": None,
    "editionStatement": None,
    "lccn": None,
    "ebookLccn": None,
    "lcSubjectHeading": None,
    "lcSubjectHeadingRegion": None,
    "lcChildrensSubjectHeading": None,
    "lcFictionGenreHeading": None,
}


def season_by_id(season_id: int) -> Season | None:
    """Season ids are ``year * 10 + n`` with n = 1..4 (Spring..Winter), as catalog.season_of makes them."""
    year, n = divmod(season_id, 10)
    if not 1 <= n <= 4 or not 1900 <= year <= 2100:
        return None
    return season_by_name(f"{('Spring', 'Summer', 'Autumn', 'Winter')[n - 1]} {year}")


def split_title(title: str | None) -> tuple[str | None, str | None]:
    if not title:
        return None, title
    head, _, rest = title.partition(" ")
    if head in _PREFIXES and rest:
        return head, rest
    return None, title


def as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def isbn_object(isbn13: str | None) -> dict[str, Any] | None:
    """The ``ISBN`` object; a malformed value passes through as isbn13 with no ISBN-10.

    Shared (cached) dicts: callers must not mutate them.
    """
    if isbn13 is None:
        return None
    return (
        _isbn_object(isbn13)
        if isinstance(isbn13, str)
        else {"isbn13": isbn13, "isbn10": None, "isbnWithDashes": None, "isbnWithSpaces": None}
    )


def _isbn_object(isbn13: str) -> dict[str, Any]:
    if isbn13_is_valid(isbn13):
        return catalogue_isbn_object(isbn13)
    return {"isbn13": isbn13, "isbn10": None, "isbnWithDashes": isbn13, "isbnWithSpaces": isbn13}


def catalogue_isbn_object(isbn13: str) -> dict[str, Any]:
    """The ``ISBN`` object of an ISBN-13 known to be valid (the catalogue's own)."""
    return {
        "isbn13": isbn13,
        "isbn10": isbn13_to_isbn10(isbn13),
        "isbnWithDashes": hyphenate(isbn13),
        "isbnWithSpaces": hyphenate(isbn13, " "),
    }


def rights_description(for_sale: list[str], not_for_sale: list[str]) -> str:
    if not for_sale and not not_for_sale:
        return "World"
    if not for_sale:
        return "World excluding " + ", ".join(not_for_sale)
    text = ", ".join(for_sale)
    if not_for_sale:
        text += " excluding " + ", ".join(not_for_sale)
    return text


def price_dict(
    pid: int,
    currency: str,
    price_type: str,
    qualifier: str,
    amount: Any,
    effective_from: date | None,
) -> dict[str, Any]:
    """A ``Price`` record; ``price_type``/``qualifier`` are ONIX codes (``02``) or enum names."""
    label, symbol, onix_type, type_name, onix_qual, qual_name = _price_parts(
        currency, price_type, qualifier
    )
    if type(amount) is float or type(amount) is int:
        shown = f"{amount:.2f}"
    else:
        try:
            shown = f"{float(amount):.2f}"
        except (TypeError, ValueError):
            shown = str(amount)
    return {
        "id": pid,
        "amount": amount,
        "amountWithCurrencyCode": f"{currency} {shown}",
        "amountWithCurrencySymbol": f"{symbol}{shown}",
        "currency": currency,
        "currencyCode": currency,
        "ean5": None,
        "effectiveFrom": effective_from,
        "effectiveTo": None,
        "label": label,
        "onixPriceType": onix_type,
        "onixPriceTypeCode": type_name,
        "onixPriceTypeQualifier": onix_qual,
        "onixPriceTypeQualifierCode": qual_name,
    }


@functools.lru_cache(maxsize=1024)
def _price_parts(currency: str, price_type: str, qualifier: str) -> tuple[Any, ...]:
    ptype, qual = codes.code_of(price_type), codes.code_of(qualifier)
    label = (
        f"{currency} {codes.LIST_58.get(ptype, ptype)} ({codes.LIST_59.get(qual, qual).lower()})"
    )
    symbol = _CURRENCY_SYMBOLS.get(currency, currency + " ")
    return (
        label,
        symbol,
        codes.onix_code("58", ptype),
        codes.enum_name(ptype),
        codes.onix_code("59", qual),
        codes.enum_name(qual),
    )


def _entry_date(timeline: list[tuple[date, Any]], when: date) -> date | None:
    idx = bisect.bisect_right(timeline, when, key=lambda e: e[0]) - 1
    return timeline[idx][0] if idx >= 0 else None


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass
class Clone:
    """A record added by a fixture: a copy of a catalogue record as it stood on ``on``."""

    kind: str  # "work" | "product"
    id: int
    source_index: int
    source_k: int | None
    on: date
    work_id: int
    #: work clones: catalogue k -> (product id, isbn13)
    products: dict[int, tuple[int, str]] = field(default_factory=dict)
    isbn13: str | None = None
    cover_id: int | None = None
    contribution_base: int = 0


@dataclass
class Patch:
    on: date
    seq: int
    values: dict[str, Any]


# ------------------------------------------------------------------------------------------------
# Search predicates
# ------------------------------------------------------------------------------------------------


@dataclass
class Search:
    """Compiled search inputs of one root field call."""

    work: dict[str, Any] = field(default_factory=dict)
    product: dict[str, Any] = field(default_factory=dict)
    price: dict[str, Any] = field(default_factory=dict)
    #: root works() filtered by productSearch: keep works with a matching product
    works_need_product: bool = False


def _norm_isbn(value: str) -> str:
    return value.replace("-", "").replace(" ", "")


def price_matches(price: dict[str, Any], s: dict[str, Any]) -> bool:
    if not s:
        return True
    amount = price.get("amount")
    if any(k in s for k in ("amountEq", "amountLt", "amountLteq", "amountGt", "amountGteq")):
        if not isinstance(amount, int | float):
            return False
        if "amountEq" in s and s["amountEq"] is not None and amount != s["amountEq"]:
            return False
        if s.get("amountLt") is not None and not amount < s["amountLt"]:
            return False
        if s.get("amountLteq") is not None and not amount <= s["amountLteq"]:
            return False
        if s.get("amountGt") is not None and not amount > s["amountGt"]:
            return False
        if s.get("amountGteq") is not None and not amount >= s["amountGteq"]:
            return False
    if s.get("currencyCodeIn") and price.get("currencyCode") not in s["currencyCodeIn"]:
        return False
    if (
        s.get("onixPriceTypeCodeIn")
        and price.get("onixPriceTypeCode") not in s["onixPriceTypeCodeIn"]
    ):
        return False
    return not (
        s.get("onixPriceTypeQualifierCodeIn")
        and price.get("onixPriceTypeQualifierCode") not in s["onixPriceTypeQualifierCodeIn"]
    )


# ------------------------------------------------------------------------------------------------
# The state
# ------------------------------------------------------------------------------------------------


class ConsonanceState(EmulatorCore):
    """Catalogue + overlay + caches. All public methods are safe to call from any thread."""

    name = "consonance"

    def __init__(
        self,
        *,
        seed: int = 42,
        works: int = 2000,
        today: date | None = None,
        faults: str = "none",
        api_keys: tuple[str, ...] = (),
        go_live: date | None = None,
        cache_size: int = 1024,
    ):
        super().__init__(seed=seed, works=works, today=today, faults=faults, api_keys=api_keys)
        # Records are cached here (cache_size works); the catalogue's own cache of generated
        # entries only has to bridge the moment between generating one and building its record.
        self.world = World(seed, works, go_live or DEFAULT_GO_LIVE, cache_size=2048)
        self.lock = threading.RLock()
        self._cache_size = cache_size
        #: compact change index: per catalogue work, sorted change-date ordinals
        self._change_index: list[array | None] = [None] * works
        self._clear_overlay()

    # ---- overlay bookkeeping -----------------------------------------------------------------

    def _clear_overlay(self) -> None:
        with self.lock:
            self.version = 0
            self._seq = itertools.count(1)
            self._ids = {
                k: itertools.count(NEW_ID_BASE + 1)
                for k in ("work", "product", "link", "text", "resource", "contribution")
            }
            self._isbn_counter = itertools.count(1)
            #: (kind, id) -> patches in (date, seq) order; kinds: work product link text resource
            self.patches: dict[tuple[str, int], list[Patch]] = {}
            #: objects created through the API: kind -> id -> object
            self.created: dict[str, dict[int, dict[str, Any]]] = {
                "link": {},
                "text": {},
                "resource": {},
            }
            #: work id -> created (kind, id) attached to it; contact id -> created link ids
            self.attached: dict[int, list[tuple[str, int]]] = {}
            self.contact_links: dict[int, list[int]] = {}
            #: fixture records: new works and products (copies of catalogue records)
            self.clones: dict[int, Clone] = {}
            self.clone_products: dict[int, Clone] = {}
            self.clones_by_work: dict[int, list[int]] = {}
            #: record kind -> id -> date from which it appears twice in lists
            self.duplicates: dict[str, dict[int, date]] = {"work": {}, "product": {}}
            #: work id -> sorted ordinals of overlay change dates
            self.work_changes: dict[int, list[int]] = {}
            #: works whose products were patched (candidates for searches the catalogue index skips)
            self.patched_works: set[int] = set()
            #: product ids -> ISBN-13 set by the overlay (for uniqueness checks and isbn filters)
            self.overlay_isbns: dict[int, str] = {}
            self._cache: OrderedDict[tuple[int, date, int], dict[str, Any] | None] = OrderedDict()
            self._list_cache: OrderedDict[tuple[Any, ...], array] = OrderedDict()

    def reset(self) -> None:
        super().reset()
        self._clear_overlay()

    def touch(self, work_id: int, on: date) -> None:
        """Record that ``work_id`` changed on ``on`` (for changedSince) and drop cached records."""
        with self.lock:
            bisect.insort(self.work_changes.setdefault(work_id, []), on.toordinal())
            self._bump()

    def invalidate(self) -> None:
        """Drop cached records (after a change that belongs to no work)."""
        with self.lock:
            self._bump()

    def _bump(self) -> None:
        self.version += 1
        self._cache.clear()
        self._list_cache.clear()

    def add_patch(self, kind: str, obj_id: int, on: date, values: dict[str, Any]) -> None:
        with self.lock:
            self.patches.setdefault((kind, obj_id), []).append(Patch(on, next(self._seq), values))
            if kind == "product" and "isbn13" in values:
                self.overlay_isbns[obj_id] = values["isbn13"]
            self._bump()

    def merged_patch(self, kind: str, obj_id: int, on: date) -> dict[str, Any] | None:
        patches = self.patches.get((kind, obj_id))
        if not patches:
            return None
        merged: dict[str, Any] = {}
        for p in patches:
            if p.on <= on:
                merged.update(p.values)
        return merged or None

    def new_id(self, kind: str) -> int:
        with self.lock:
            return next(self._ids[kind])

    # ---- existence and lookup ---------------------------------------------------------------

    def work_exists(self, work_id: int, on: date) -> bool:
        return self.work(work_id, on) is not None

    def catalogue_index(self, work_id: int) -> int | None:
        return self.world.work_index(work_id)

    def work_of_product(self, product_id: int) -> int | None:
        """The work id a product id belongs to (catalogue arithmetic or a fixture), existence aside."""
        if product_id in self.clone_products:
            return self.clone_products[product_id].work_id
        for clone in self.clones.values():
            for pid, _ in clone.products.values():
                if pid == product_id:
                    return clone.id
        n = product_id - World.PRODUCT_ID_BASE
        if 0 <= n < 10 * self.world.n_works and product_id < NEW_ID_BASE:
            return self.world.work_id(n // 10)
        return None

    def product(self, product_id: int, on: date) -> dict[str, Any] | None:
        work_id = self.work_of_product(product_id)
        if work_id is None:
            return None
        w = self.work(work_id, on)
        if w is None:
            return None
        for p in w["products"]:
            if p["id"] == product_id:
                return p
        return None

    def contact_exists(self, contact_id: int) -> bool:
        base = World.CONTACT_ID_BASE
        if base <= contact_id < base + self.world._author_pool:
            return True
        return base + 900_000 <= contact_id < base + 900_000 + 6

    def find_object(
        self, kind: str, obj_id: int, on: date
    ) -> tuple[int | None, dict[str, Any] | None]:
        """(work id, record) of a web link, marketing text or supporting resource existing on ``on``.

        ``kind`` is ``link``, ``text`` or ``resource``. Links attached to a contact have no work:
        (None, record).
        """
        created = self.created[kind].get(obj_id)
        n = self.world.n_works
        owner: int | None = None
        if created is not None:
            if kind == "link" and created.get("contactId") is not None:
                rec = self.contact_link(obj_id, on)
                return None, rec
            owner = created.get("workId")
        elif kind == "link" and 0 <= obj_id - LINK_ID_BASE < 100 * n:
            owner = World.WORK_ID_BASE + (obj_id - LINK_ID_BASE) // 100
        elif kind == "text" and 0 <= obj_id - TEXT_ID_BASE < 10 * n:
            owner = World.WORK_ID_BASE + (obj_id - TEXT_ID_BASE) // 10
        elif kind == "resource" and 0 <= obj_id - COVER_ID_BASE < n:
            owner = World.WORK_ID_BASE + obj_id - COVER_ID_BASE
        elif kind == "resource":
            owner = next((c.id for c in self.clones.values() if c.cover_id == obj_id), None)
        if owner is None:
            return None, None
        w = self.work(owner, on)
        if w is None:
            return None, None
        if kind == "text":
            pool = w["marketingTexts"]
        elif kind == "resource":
            pool = w["supportingResources"]
        else:
            pool = list(w["webLinks"]) + [x for p in w["products"] for x in p["webLinks"]]
        rec = next((r for r in pool if isinstance(r, dict) and r.get("id") == obj_id), None)
        return (owner, rec) if rec is not None else (None, None)

    def contact_link(self, link_id: int, on: date) -> dict[str, Any] | None:
        obj = self.created["link"].get(link_id)
        if obj is None or obj["_on"] > on:
            return None
        rec = self._patched("link", _public(obj), on)
        return None if rec.get("_deleted") else rec

    def contact_links_on(self, contact_id: int, on: date) -> list[dict[str, Any]]:
        out = []
        for link_id in self.contact_links.get(contact_id, ()):
            rec = self.contact_link(link_id, on)
            if rec is not None:
                out.append(rec)
        return out

    # ---- records ----------------------------------------------------------------------------

    def work(self, work_id: int, on: date) -> dict[str, Any] | None:
        """The Work record on ``on`` (None if it does not exist then), cached per overlay version."""
        with self.lock:
            key = (work_id, on, self.version)
            cache = self._cache
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
            rec = self._build_work(work_id, on)
            cache[key] = rec
            if len(cache) > self._cache_size:
                cache.popitem(last=False)
            return rec

    def _build_work(self, work_id: int, on: date) -> dict[str, Any] | None:
        i = self.world.work_index(work_id)
        if i is not None:
            ws = self.world.work_at(i, on)
            if ws is None:
                return None
            if self._change_index[i] is None:  # the spec is at hand: index its change dates now
                self._change_index[i] = array("I", map(date.toordinal, ws.spec.change_dates()))
            rec = self._work_record(ws, on, on, None)
        elif work_id in self.clones:
            clone = self.clones[work_id]
            if clone.on > on:
                return None
            ws = self.world.work_at(clone.source_index, clone.on)
            assert ws is not None  # checked when the fixture was loaded
            rec = self._work_record(ws, clone.on, on, clone)
        else:
            return None
        if rec.get("_removed"):
            return None
        return rec

    def _work_record(
        self, ws: WorkState, state_on: date, on: date, clone: Clone | None
    ) -> dict[str, Any]:
        spec = ws.spec
        wid = clone.id if clone else spec.id
        imprint = spec.imprint
        authors = ws.authorship
        first_pub = min((p.publication_date for p in ws.products), default=spec.first_pub_date)
        season = season_of(first_pub)
        w: dict[str, Any] = dict(_WORK_EMPTY)
        w.update(
            id=wid,
            title=ws.title,
            titlePrefix=ws.title_prefix,
            titleWithoutPrefix=ws.title_without_prefix,
            subtitle=ws.subtitle,
            alternativeTitles=None,
            authorshipDescription=authors,
            contributorPrettyList=_pretty_list(ws.contributions),
            inHouseWorkReference=f"{imprint.slug[:3].upper()}-{wid}",
            publishersUrl=f"https://www.{imprint.slug}.example/works/{wid}",
            workType="Trade",
            editionNumber=1,
            onixEditionTypeCodes=[],
            imprint=_IMPRINT_DICTS[imprint.id],
            season=season.name,
            seasonId=season.id,
            projectStage=ws.stage.name,
            projectStageId=ws.stage.id,
            marketingTier=ws.tier.name,
            marketingTierId=ws.tier.id,
            bics=[],
            bisacs=[g.bisac for g in spec.genres],
            themas=[g.thema for g in spec.genres],
            nurs=[],
            inHouseSubjects=[],
        )
        wpatch = self.merged_patch("work", wid, on)
        if wpatch:
            w.update(wpatch)
            _derive_work(w, wpatch)

        # products (catalogue or cloned), then fixture products attached to this work
        products: list[dict[str, Any]] = []
        for ps in ws.products:
            if clone is not None:
                pid, isbn = clone.products[ps.spec.k]
            else:
                pid, isbn = ps.spec.id, ps.spec.isbn13
            products.append(self._product_record(ps, w, pid, isbn, state_on, on, valid_isbn=True))
        for cid in self.clones_by_work.get(wid, ()):
            pc = self.clone_products[cid]
            if pc.on <= on:
                src = self.world.work_at(pc.source_index, pc.on)
                assert src is not None
                ps = next(p for p in src.products if p.spec.k == pc.source_k)
                products.append(self._product_record(ps, w, pc.id, pc.isbn13, pc.on, on))
        products = [p for p in products if not p.get("_removed")]
        if spec.strict_on_sale:
            for p in products:  # a strict on-sale date: no retail sale before publication
                if p.get("salesEmbargoDate") is None and p.get("_k") is not None:
                    p["salesEmbargoDate"] = p["publicationDate"]
        pids = [p["id"] for p in products]
        audio_pids = [p["id"] for p in products if p.get("_audio")]

        # contributions
        contributions = []
        for c in ws.contributions:
            cid = c.id if clone is None else clone.contribution_base + c.sequence - 1
            contributions.append(_contribution(c, cid, wid, audio_pids if c.audio_only else pids))

        # texts, resources and links: catalogue ones (not for clones) then created ones
        texts: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        resources: list[dict[str, Any]] = []
        if clone is None:
            for t in ws.marketing_texts:
                texts.append(self._patched("text", _catalogue_text(t, on, wid, pids), on))
            by_k = {p["_k"]: p["id"] for p in products if p["id"] < NEW_ID_BASE}
            for lk in ws.web_links:
                if lk.product_k in by_k:
                    links.append(
                        self._patched("link", _catalogue_link(lk, by_k[lk.product_k], wid), on)
                    )
            if spec.cover_created_on <= on:
                resources.append(
                    self._patched(
                        "resource",
                        _cover(
                            COVER_ID_BASE + ws.spec.index,
                            wid,
                            spec.cover_created_on,
                            pids,
                            spec.cover_version(on),
                        ),
                        on,
                    )
                )
        elif clone.cover_id is not None:
            resources.append(
                self._patched("resource", _cover(clone.cover_id, wid, clone.on, pids), on)
            )
        for kind, oid in self.attached.get(wid, ()):
            obj = self.created[kind][oid]
            if obj["_on"] > on:
                continue
            rec = self._patched(kind, _public(obj), on)
            (texts if kind == "text" else links if kind == "link" else resources).append(rec)
        texts = [t for t in texts if not t.get("_deleted")]
        links = [x for x in links if not x.get("_deleted")]
        resources = [r for r in resources if not r.get("_deleted")]

        w.setdefault("products", products)
        w.setdefault("contributions", contributions)
        w.setdefault("marketingTexts", texts)
        w.setdefault("supportingResources", resources)
        w.setdefault("webLinks", [x for x in links if x.get("productId") is None])
        for p in products:
            pid = p["id"]
            if "contributions" not in p:
                p["contributions"] = [c for c in w["contributions"] if pid in c["productIds"]]
            if "marketingTexts" not in p:
                p["marketingTexts"] = [t for t in w["marketingTexts"] if pid in t["productIds"]]
            if "supportingResources" not in p:
                p["supportingResources"] = [
                    r for r in w["supportingResources"] if pid in r["productIds"]
                ]
            if "webLinks" not in p:
                p["webLinks"] = [x for x in links if x.get("productId") == pid]
            if "productAuthorshipDescription" not in p:
                p["productAuthorshipDescription"] = _product_authorship(p["contributions"])
            fmt = p.get("inHouseFormat")
            if isinstance(fmt, dict) and fmt.get("productsCount") is None and "_form" in p:
                fmt["productsCount"] = sum(1 for q in products if q.get("_form") == p["_form"])
        return w

    def _patched(self, kind: str, rec: dict[str, Any], on: date) -> dict[str, Any]:
        patch = self.merged_patch(kind, rec["id"], on)
        if patch:
            rec.update(patch)
            if kind == "link" and "role" in patch and "roleDescription" not in patch:
                rec["roleDescription"] = codes.LIST_73.get(codes.code_of(str(rec["role"])))
            if kind == "text":
                _derive_text(rec, patch)
        return rec

    def _product_record(
        self,
        ps: ProductState,
        w: dict[str, Any],
        pid: int,
        isbn: str | None,
        state_on: date,
        on: date,
        valid_isbn: bool = False,
    ) -> dict[str, Any]:
        spec = ps.spec
        form = spec.form
        rights = ps.rights
        planned = spec.pub_date[0][1]
        fmt_id, fmt_code, ed_code = _IN_HOUSE[form.code]
        edition = {
            "id": fmt_id,
            "name": form.in_house_edition,
            "code": ed_code,
            "inHouseFormats": [],
        }
        in_format = {
            "id": fmt_id,
            "name": form.in_house_format,
            "code": fmt_code,
            "productsCount": None,
            "inHouseEditions": [edition],
        }
        edition["inHouseFormats"] = [
            {
                "id": fmt_id,
                "name": form.in_house_format,
                "code": fmt_code,
                "productsCount": None,
                "inHouseEditions": [],
            }
        ]
        price_from = _entry_date(spec.prices, state_on)
        p: dict[str, Any] = {
            "__typename": form.typename,
            "_k": spec.k,
            "_form": form.code,
            "_audio": form.audio,
            "id": pid,
            "workId": w["id"],
            "isbn": catalogue_isbn_object(isbn) if valid_isbn and isbn else isbn_object(isbn),
            "fullTitle": w["title"],
            "titlePrefix": w["titlePrefix"],
            "titleWithoutPrefix": w["titleWithoutPrefix"],
            "subtitle": w["subtitle"],
            "authorshipDescription": w["authorshipDescription"],
            "publishersReference": None,
            "allowOnixExports": True,
            "onix21ProductFormCode": form.code,
            "onix21ProductForm": codes.onix_code("7", form.code),
            "onixPublishingStatusCode": codes.enum_name(ps.status),
            "onixPublishingStatus": codes.onix_code("64", ps.status),
            "publicationDate": ps.publication_date,
            "plannedPublicationDate": planned,
            "salesEmbargoDate": None,
            "outOfPrintDate": _out_of_print_date(spec.status, on),
            "prices": [
                price_dict(pr.id, pr.currency, pr.price_type, pr.qualifier, pr.amount, price_from)
                for pr in ps.prices
            ],
            "inHouseFormat": in_format,
            "inHouseEdition": edition,
            "forSaleCountryCodes": list(rights.for_sale),
            "notForSaleCountryCodes": list(rights.not_for_sale),
            "salesRightsDescription": rights.description,
            "isForSaleWorldwide": rights.worldwide,
        }
        if form.typename == "PhysicalBookProduct":
            pages = spec.page_count or 0
            p.update(
                productHeight=spec.height_mm,
                productWidth=spec.width_mm,
                productThickness=spec.thickness_mm,
                approximatePageCount=pages,
                productionPageCount=-(-pages // 16) * 16,
                mainContentPageCount=pages - 16,
                frontMatterPageCount=12,
                backMatterPageCount=4,
                totalNumberedPages=pages,
                contentPageCount=pages - 16,
                totalUnnumberedInsertPageCount=0,
                wordCount=pages * 300,
            )
        elif form.typename == "ElectronicBookProduct":
            p.update(approximatePageCount=spec.page_count, wordCount=(spec.page_count or 0) * 300)
        elif form.audio:
            p["runningTime"] = spec.duration_minutes
            if form.typename == "PhysicalAudioProduct":
                p["approximatePageCount"] = None
        patch = self.merged_patch("product", pid, on)
        if patch:
            p.update(patch)
            _derive_product(p, patch)
        return p

    # ---- change index ------------------------------------------------------------------------

    def _catalogue_changes(self, i: int) -> array:
        arr = self._change_index[i]
        if arr is None:
            arr = array("I", map(date.toordinal, self.world.change_dates(i)))
            self._change_index[i] = arr
        return arr

    def changed(self, work_id: int, since: date, until: date) -> bool:
        """Did the work or a closely related record change on a date in [since, until]?"""
        lo, hi = since.toordinal(), until.toordinal()
        extra = self.work_changes.get(work_id)
        if extra:
            idx = bisect.bisect_left(extra, lo)
            if idx < len(extra) and extra[idx] <= hi:
                return True
        i = self.world.work_index(work_id)
        if i is None:
            clone = self.clones.get(work_id)
            return clone is not None and lo <= clone.on.toordinal() <= hi
        arr = self._catalogue_changes(i)
        idx = bisect.bisect_left(arr, lo)
        return idx < len(arr) and arr[idx] <= hi

    # ---- searching ---------------------------------------------------------------------------

    def _candidate_work_ids(self, on: date, s: Search, after_work: int | None) -> Iterator[int]:
        """Work ids that may match, ascending; a superset computed without building records."""
        n_exist = self.world.works_created_by(on)
        base = World.WORK_ID_BASE
        ws, ps = s.work, s.product
        explicit: set[int] | None = None
        if ws.get("idEq") is not None:
            explicit = {ws["idEq"]}
        if ps.get("idEq") is not None:
            owner = self.work_of_product(ps["idEq"])
            owners = {owner} if owner is not None else set()
            explicit = owners if explicit is None else explicit & owners
        isbns = None
        if ps.get("isbn13Eq") is not None:
            isbns = [ps["isbn13Eq"]]
        if ps.get("isbn13In"):  # an empty list is no filter, as everywhere
            isbns = (
                list(ps["isbn13In"]) if isbns is None else [x for x in isbns if x in ps["isbn13In"]]
            )
        if isbns is not None:
            owners: set[int] = set()
            for raw in isbns:
                loc = self.world.locate_isbn(_norm_isbn(raw))
                if loc is not None:
                    owners.add(self.world.work_id(loc[0]))
            wanted = {_norm_isbn(x) for x in isbns}
            for pid, isbn in self.overlay_isbns.items():
                owner = self.work_of_product(pid)
                if isbn in wanted and owner is not None:
                    owners.add(owner)
            for clone in itertools.chain(self.clones.values(), self.clone_products.values()):
                for isbn in [clone.isbn13, *(b for _, b in clone.products.values())]:
                    if isbn in wanted:
                        owners.add(clone.work_id)
            explicit = owners if explicit is None else explicit & owners
        lo = 0 if after_work is None else max(0, after_work + 1 - base)
        if explicit is not None:
            for wid in sorted(explicit):
                if after_work is None or wid > after_work:
                    yield wid
            return
        ranges: list[range] = [range(lo, n_exist)]
        pub_keys = (
            "publicationDateEq",
            "publicationDateGt",
            "publicationDateLt",
            "publicationDateGteq",
            "publicationDateLteq",
        )
        if any(ps.get(k) is not None for k in pub_keys):
            first, last = date.min, date.max
            if ps.get("publicationDateEq") is not None:
                first = last = ps["publicationDateEq"]
            if ps.get("publicationDateGt") is not None:
                first = max(first, ps["publicationDateGt"] + timedelta(days=1))
            if ps.get("publicationDateGteq") is not None:
                first = max(first, ps["publicationDateGteq"])
            if ps.get("publicationDateLt") is not None:
                last = min(last, ps["publicationDateLt"] - timedelta(days=1))
            if ps.get("publicationDateLteq") is not None:
                last = min(last, ps["publicationDateLteq"])
            if first > last:
                ranges = []
            else:
                window = self.world.index_window_for_pub_dates(
                    max(first, date(1900, 1, 1)), min(last, date(2200, 1, 1))
                )
                ranges = [range(max(r.start, lo), min(r.stop, n_exist)) for r in window]
                # products the overlay re-dated may have left the catalogue's window
                extra = sorted(
                    self.world.work_index(w)
                    for w in self.patched_works
                    if self.world.work_index(w) is not None
                )
                ranges = _merge_ranges(
                    ranges, [range(x, x + 1) for x in extra if lo <= x < n_exist]
                )
        for r in ranges:
            for i in r:
                yield base + i
        for wid in sorted(self.clones):
            if after_work is None or wid > after_work:
                yield wid

    def _prefilter(self, s: Search, on: date) -> Callable[[int], bool] | None:
        since = s.work.get("changedSince")
        psince = s.product.get("changedSince")
        if since is None and psince is None:
            return None
        since = max(d for d in (since, psince) if d is not None)
        return lambda wid: self.changed(wid, since, on)

    def search_works(
        self, on: date, s: Search, limit: int | None = PAGE_CAP
    ) -> list[dict[str, Any]]:
        after = s.work.get("after")
        wpred = work_predicate(s.work, on, self)
        ppred = product_predicate(s.product, on, self) if s.works_need_product else None
        pre = self._prefilter(s, on)
        out: list[dict[str, Any]] = []
        dups = self.duplicates["work"]
        for wid in self._candidate_work_ids(on, s, after):
            if pre is not None and not pre(wid):
                continue
            w = self.work(wid, on)
            if w is None or not wpred(w):
                continue
            if ppred is not None and not any(ppred(p) for p in w["products"]):
                continue
            out.append(w)
            if wid in dups and dups[wid] <= on:
                out.append(w)
            if limit is not None and len(out) >= limit:
                return out[:limit]
        return out

    def search_products(
        self, on: date, s: Search, limit: int | None = PAGE_CAP
    ) -> list[dict[str, Any]]:
        """Products in id order: catalogue products (walking the works), then fixture products."""
        after = s.product.get("after")
        ppred = product_predicate(s.product, on, self)
        wpred = work_predicate(s.work, on, self) if s.work else None
        pre = self._prefilter(s, on)
        price = s.price
        dups = self.duplicates["product"]
        out: list[dict[str, Any]] = []

        def product_ok(p: dict[str, Any]) -> bool:
            if not ppred(p):
                return False
            return not price or any(
                isinstance(pr, dict) and price_matches(pr, price) for pr in p.get("prices") or ()
            )

        def take(p: dict[str, Any]) -> bool:
            out.append(p)
            if p["id"] in dups and dups[p["id"]] <= on:
                out.append(p)
            return limit is not None and len(out) >= limit

        def work_ok(wid: int) -> dict[str, Any] | None:
            if pre is not None and not pre(wid):
                return None
            w = self.work(wid, on)
            if w is None or (wpred is not None and not wpred(w)):
                return None
            return w

        work_after = s.work.get("after")
        if after is None or after < NEW_ID_BASE:
            after_work = work_after
            if after is not None and after >= World.PRODUCT_ID_BASE:
                implied = World.WORK_ID_BASE + (after - World.PRODUCT_ID_BASE) // 10 - 1
                after_work = implied if after_work is None else max(after_work, implied)
            for wid in self._candidate_work_ids(on, s, after_work):
                if wid >= NEW_ID_BASE:
                    break
                w = work_ok(wid)
                if w is None:
                    continue
                for p in w["products"]:
                    if p["id"] < NEW_ID_BASE and product_ok(p) and take(p):
                        return out[:limit]
        # fixture products (ids above every catalogue id), whatever work they belong to
        late: list[dict[str, Any]] = []
        for wid in sorted(set(self.clones_by_work) | set(self.clones)):
            w = work_ok(wid)
            if w is not None:
                late.extend(p for p in w["products"] if p["id"] >= NEW_ID_BASE and product_ok(p))
        for p in sorted(late, key=lambda q: q["id"]):
            if take(p):
                return out[:limit]
        return out

    def cached_list(
        self, on: date, key: tuple[Any, ...], compute: Callable[[], list[int]]
    ) -> array:
        """A computed id list cached per (date, overlay version, key): REST needs whole-list counts.

        Kept as a compact array (4 bytes an id), a few queries at a time.
        """
        with self.lock:
            cache_key = (on, self.version, key)
            hit = self._list_cache.get(cache_key)
            if hit is not None:
                self._list_cache.move_to_end(cache_key)
                return hit
            ids = array("I", compute())
            self._list_cache[cache_key] = ids
            if len(self._list_cache) > 8:
                self._list_cache.popitem(last=False)
            return ids

    # ---- static lists ------------------------------------------------------------------------

    def seasons(self, on: date) -> list[dict[str, Any]]:
        return [
            {"id": s.id, "name": s.name, "startDate": s.start, "endDate": s.end}
            for s in seasons_between(date(2000, 3, 1), date(on.year + 1, 12, 31))
        ]

    @staticmethod
    def imprints() -> list[dict[str, Any]]:
        return list(_IMPRINT_DICTS.values())

    @staticmethod
    def project_stages() -> list[dict[str, Any]]:
        return [{"id": s.id, "name": s.name} for s in STAGES]

    @staticmethod
    def marketing_tiers() -> list[dict[str, Any]]:
        return [{"id": t.id, "name": t.name} for t in TIERS]

    # ---- fixtures ----------------------------------------------------------------------------

    def load_fixtures(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Inject records; see the package docstring for the format. All-or-nothing per call."""
        from .fixtures import load

        with self.lock:
            return load(self, payload)

    def health(self) -> dict[str, Any]:
        out = super().health()
        out["overlay"] = {
            "patches": sum(len(v) for v in self.patches.values()),
            "created": {k: len(v) for k, v in self.created.items()},
            "fixture_works": len(self.clones),
            "fixture_products": len(self.clone_products),
        }
        return out

    def next_fixture_isbn(self) -> str:
        first12 = f"{FIXTURE_ISBN_PREFIX}{next(self._isbn_counter):07d}"
        return first12 + isbn13_check_digit(first12)

    def isbn_in_use(self, isbn13: str, on: date, except_product: int | None = None) -> bool:
        loc = self.world.locate_isbn(isbn13)
        if loc is not None:
            pid = self.world.product_id(*loc)
            if pid != except_product and self.product(pid, on) is not None:
                cur = self.product(pid, on)
                if cur is not None and cur["isbn"] and cur["isbn"]["isbn13"] == isbn13:
                    return True
        for pid, value in self.overlay_isbns.items():
            if value == isbn13 and pid != except_product:
                cur = self.product(pid, on)
                if cur is not None and cur["isbn"] and cur["isbn"]["isbn13"] == isbn13:
                    return True
        return any(
            c.isbn13 == isbn13 and c.id != except_product for c in self.clone_products.values()
        ) or any(
            isbn == isbn13 and pid != except_product
            for c in self.clones.values()
            for pid, isbn in c.products.values()
        )


# ------------------------------------------------------------------------------------------------
# Record helpers
# ------------------------------------------------------------------------------------------------


def _merge_ranges(a: list[range], b: list[range]) -> list[range]:
    spans = sorted((r.start, r.stop) for r in (*a, *b) if r.stop > r.start)
    out: list[list[int]] = []
    for start, stop in spans:
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], stop)
        else:
            out.append([start, stop])
    return [range(s, e) for s, e in out]


def _pretty_list(contributions: Iterable[Any]) -> str:
    authors = [c.person_name for c in contributions if c.role == "A01"]
    text = (
        " and ".join(authors)
        if len(authors) <= 2
        else ", ".join(authors[:-1]) + " and " + authors[-1]
    )
    others = [
        f"{codes.LIST_17[c.role][0].lower()}{codes.LIST_17[c.role][1:]} {c.person_name}"
        for c in contributions
        if c.role != "A01"
    ]
    return "; ".join([text, *others]) if others else text


def _product_authorship(contributions: list[dict[str, Any]]) -> str | None:
    authors = [
        c["contributor"]["name"] for c in contributions if c["onixContributorRoleCode"] == "A01"
    ]
    text = (
        " and ".join(authors)
        if len(authors) <= 2
        else ", ".join(authors[:-1]) + " and " + authors[-1]
    )
    readers = [
        c["contributor"]["name"] for c in contributions if c["onixContributorRoleCode"] == "E07"
    ]
    if readers:
        text = (
            f"{text}, read by {' and '.join(readers)}"
            if text
            else f"Read by {' and '.join(readers)}"
        )
    return text or None


def _person(contact_id: int, first: str, last: str) -> dict[str, Any]:
    return {
        "__typename": "Person",
        "id": contact_id,
        "name": f"{first} {last}",
        "isni": None,
        "keyNames": last,
        "namesBeforeKey": first,
        "personName": f"{first} {last}",
        "personNameInverted": f"{last}, {first}",
    }


def _contribution(c: Any, cid: int, wid: int, product_ids: list[int]) -> dict[str, Any]:
    if c.role == "B06":
        src = _TRANSLATED_FROM[c.contact_id % len(_TRANSLATED_FROM)]
        langs_from, langs_to = [src], ["eng"]
    else:
        langs_from, langs_to = [], []
    return {
        "id": cid,
        "contributor": _person(c.contact_id, c.first_name, c.last_name),
        "languagesFrom": [codes.onix_code("74", x) for x in langs_from],
        "languagesFromCodes": langs_from,
        "languagesTo": [codes.onix_code("74", x) for x in langs_to],
        "languagesToCodes": langs_to,
        "onixContributorRole": codes.onix_code("17", c.role),
        "onixContributorRoleCode": c.role,
        "onixTerritories": [],
        "onixTerritoryCodes": [],
        "productIds": list(product_ids),
        "sequenceNumber": c.sequence,
        "workId": wid,
    }


#: ApprovalStatus value -> approvalStatusName (both guesses: the enum's page is not public).
APPROVAL_STATUS_NAMES = {
    "DRAFT": "Draft",
    "FOR_APPROVAL": "For approval",
    "APPROVED": "Approved",
    "REJECTED": "Rejected",
}


def _text_record(
    tid: int,
    wid: int,
    variant: str | None,
    external_html: str,
    internal_md: str,
    product_ids: list[int],
    approval_status: str | None = "APPROVED",
    **extra: Any,
) -> dict[str, Any]:
    """A marketing text as the API shows it (catalogue texts and created ones alike)."""
    external_md, external_chars = _from_html(external_html)
    internal_html, internal_chars = _from_markdown(internal_md)
    rec = {
        "id": tid,
        "workId": wid,
        "variant": variant,
        "externalText": external_html,
        "externalTextMarkdown": external_md,
        "externalTextNumberOfCharacters": external_chars,
        "internalText": internal_html,
        "internalTextMarkdown": internal_md,
        "internalTextNumberOfCharacters": internal_chars,
        "alternateExternalText": "",
        "alternateExternalTextMarkdown": "",
        # a String in the published schema: the length of the external text's HTML
        "htmlCharsCount": str(len(external_html)),
        "approvalStatus": approval_status,
        "approvalStatusName": APPROVAL_STATUS_NAMES.get(approval_status or ""),
        # guess: the published description says "derived from the content itself"
        "formatDescription": "HTML" if "<" in external_html else "Plain text",
        "productIds": product_ids,
        "fromDate": None,
        "untilDate": None,
        "datePublished": None,
        "dateReleased": None,
        "publicationName": None,
        "reviewUrl": None,
        "onix2Only": False,
        "onixLanguageCode": "eng",
        "language": codes.onix_code("74", "eng"),
        "onixContentAudienceCodes": ["_00"],
        "onixContentAudiences": [codes.onix_code("154", "00")],
    }
    if extra:
        rec.update(extra)
    return rec


@functools.lru_cache(maxsize=65536)
def _from_html(text: str) -> tuple[str, int]:
    return html_to_markdown(text), len(strip_html(text))


@functools.lru_cache(maxsize=4096)
def _from_markdown(text: str) -> tuple[str, int]:
    html_text = markdown_to_html(text)
    return html_text, len(strip_html(html_text))


def _catalogue_text(t: Any, on: date, wid: int, pids: list[int]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if t.variant == "REVIEW_QUOTE":
        extra = {"publicationName": "The Reader", "datePublished": t.created_on}
    return _text_record(t.id, wid, t.variant, t.text_on(on), "", list(pids), **extra)


def _derive_text(rec: dict[str, Any], patch: dict[str, Any]) -> None:
    if (
        "externalText" in patch
        and "externalTextMarkdown" not in patch
        and isinstance(rec["externalText"], str)
    ):
        rec["externalTextMarkdown"] = html_to_markdown(rec["externalText"])
        rec["externalTextNumberOfCharacters"] = len(strip_html(rec["externalText"]))
    if (
        "internalTextMarkdown" in patch
        and "internalText" not in patch
        and isinstance(rec["internalTextMarkdown"], str)
    ):
        rec["internalText"] = markdown_to_html(rec["internalTextMarkdown"])
        rec["internalTextNumberOfCharacters"] = len(strip_html(rec["internalText"]))


def _catalogue_link(lk: Any, product_id: int, wid: int) -> dict[str, Any]:
    video = ASSET_HOST in lk.link
    return {
        "id": lk.id,
        "link": lk.link,
        "role": codes.enum_name(lk.role),
        "roleDescription": codes.LIST_73.get(lk.role),
        "description": lk.description,
        "includeInOnix": not video,
        "type": "VIDEO" if video else "WEBSITE",
        "note": None,
        "productId": product_id,
        "workId": wid,
        "contactId": None,
    }


def _cover(
    rid: int, wid: int, created_on: date, pids: list[int], version: int = 1
) -> dict[str, Any]:
    """The work's front cover; a redesign replaces the image (a new URL and file name) on the
    same resource."""
    suffix = "" if version <= 1 else f"-v{version}"
    return {
        "id": rid,
        "workId": wid,
        "url": f"{COVER_URL_BASE}/{wid}/front{suffix}.jpg",
        "caption": "Front cover",
        "copyright": None,
        "copyrightHolder": None,
        "requiredCredit": None,
        "createdAt": _midnight(created_on),
        "filename": f"{wid}-front-cover{suffix}.jpg",
        "imageContentType": "image/jpeg",
        "imageRemoteUrl": None,
        "isProcessing": False,
        "productIds": list(pids),
        "resourceVariant": "FRONT_COVER",
        "status": "APPROVED",
        "width": 1600,
        "height": 2400,
        "fileSize": 180_000 + (wid * 7919) % 420_000,
        "aspectRatio": 0.667,
    }


#: ONIX list 64 statuses that end a product's life: 07 out of print, 17 permanently withdrawn.
_END_OF_LIFE = ("07", "17")
#: How long before a product goes out of print the publisher records the date.
_OUT_OF_PRINT_NOTICE = timedelta(days=90)


def _out_of_print_date(status: list[tuple[date, str]], on: date) -> date | None:
    """The out-of-print / permanently withdrawn date (ONIX list 163 code 13) as known on ``on``:
    an out-of-print date is recorded 90 days ahead, a withdrawal on the day."""
    for when, code in status:
        if code in _END_OF_LIFE:
            known = when - _OUT_OF_PRINT_NOTICE if code == "07" else when
            return when if on >= known else None
    return None


def _public(obj: dict[str, Any]) -> dict[str, Any]:
    """A created object's record: its public fields (a fresh dict, so patches never leak back)."""
    return {
        k: (list(v) if isinstance(v, list) else v) for k, v in obj.items() if not k.startswith("_")
    }


def _derive_work(w: dict[str, Any], patch: dict[str, Any]) -> None:
    if "title" in patch and "titlePrefix" not in patch and "titleWithoutPrefix" not in patch:
        w["titlePrefix"], w["titleWithoutPrefix"] = (
            split_title(w["title"]) if isinstance(w["title"], str) else (None, w["title"])
        )
    if "seasonId" in patch and "season" not in patch and isinstance(w["seasonId"], int):
        s = season_by_id(w["seasonId"])
        w["season"] = s.name if s else None
    if (
        "projectStageId" in patch
        and "projectStage" not in patch
        and w["projectStageId"] in STAGE_BY_ID
    ):
        w["projectStage"] = STAGE_BY_ID[w["projectStageId"]].name
    if (
        "marketingTierId" in patch
        and "marketingTier" not in patch
        and w["marketingTierId"] in TIER_BY_ID
    ):
        w["marketingTier"] = TIER_BY_ID[w["marketingTierId"]].name
    if "imprintId" in patch:
        w["imprint"] = _IMPRINT_DICTS.get(
            patch["imprintId"], {"id": patch["imprintId"], "name": None}
        )
        del w["imprintId"]


def _derive_product(p: dict[str, Any], patch: dict[str, Any]) -> None:
    if "isbn13" in patch:
        p["isbn"] = isbn_object(patch["isbn13"])
        del p["isbn13"]
    if "onixPublishingStatusCode" in patch:
        value = patch["onixPublishingStatusCode"]
        if isinstance(value, str) and value.isdigit():
            p["onixPublishingStatusCode"] = value = "_" + value
        if "onixPublishingStatus" not in patch:
            p["onixPublishingStatus"] = (
                codes.onix_code("64", value) if isinstance(value, str) else None
            )
    if "onix21ProductFormCode" in patch:
        value = patch["onix21ProductFormCode"]
        if isinstance(value, str) and value.isdigit():
            p["onix21ProductFormCode"] = value = "_" + value
        if "onix21ProductForm" not in patch:
            p["onix21ProductForm"] = codes.onix_code("7", value) if isinstance(value, str) else None
    if (
        ("forSaleCountryCodes" in patch or "notForSaleCountryCodes" in patch)
        and isinstance(p["forSaleCountryCodes"], list)
        and isinstance(p["notForSaleCountryCodes"], list)
    ):
        if "isForSaleWorldwide" not in patch:
            p["isForSaleWorldwide"] = (
                not p["forSaleCountryCodes"] and not p["notForSaleCountryCodes"]
            )
        if "salesRightsDescription" not in patch:
            p["salesRightsDescription"] = rights_description(
                p["forSaleCountryCodes"], p["notForSaleCountryCodes"]
            )
    if "title" in patch:  # updateProduct's title (without prefix) and prefix
        p["titleWithoutPrefix"] = p.pop("title")
        if "prefix" in patch:
            p["titlePrefix"] = p.pop("prefix")
        p["fullTitle"] = (
            f"{p['titlePrefix']} {p['titleWithoutPrefix']}"
            if p.get("titlePrefix")
            else p["titleWithoutPrefix"]
        )
    elif "prefix" in patch:
        p["titlePrefix"] = p.pop("prefix")
        p["fullTitle"] = (
            f"{p['titlePrefix']} {p['titleWithoutPrefix']}"
            if p.get("titlePrefix")
            else p["titleWithoutPrefix"]
        )
    if "prices" in patch and isinstance(patch["prices"], list):
        p["prices"] = [_fixture_price(p, n, pr) for n, pr in enumerate(patch["prices"])]


def _fixture_price(p: dict[str, Any], n: int, given: Any) -> Any:
    if not isinstance(given, dict):
        return given
    currency = given.get("currencyCode", given.get("currency", "GBP"))
    base = price_dict(
        given.get("id", 10 * p["id"] + n if p["id"] < NEW_ID_BASE // 10 else n + 1),
        currency,
        str(given.get("onixPriceTypeCode", "02")),
        str(given.get("onixPriceTypeQualifierCode", "05")),
        given.get("amount"),
        given.get("effectiveFrom"),
    )
    base.update(given)
    return base


# ------------------------------------------------------------------------------------------------
# Predicates
# ------------------------------------------------------------------------------------------------


def work_predicate(
    s: dict[str, Any], on: date, state: ConsonanceState
) -> Callable[[dict[str, Any]], bool]:
    checks: list[Callable[[dict[str, Any]], bool]] = []
    if s.get("after") is not None:
        after = s["after"]
        checks.append(lambda w: w["id"] > after)
    if s.get("idEq") is not None:
        ident = s["idEq"]
        checks.append(lambda w: w["id"] == ident)
    if s.get("contractIdEq") is not None:
        checks.append(lambda w: False)  # the catalogue has no contracts
    if s.get("changedSince") is not None:
        since = s["changedSince"]
        checks.append(lambda w: state.changed(w["id"], since, on))
    if s.get("titleEq") is not None:
        v = s["titleEq"]
        checks.append(lambda w: w.get("title") == v)
    if s.get("titleCont") is not None:
        v = s["titleCont"].lower()
        checks.append(lambda w: v in str(w.get("title") or "").lower())
    if s.get("subtitleEq") is not None:
        v = s["subtitleEq"]
        checks.append(lambda w: w.get("subtitle") == v)
    if s.get("subtitleCont") is not None:
        v = s["subtitleCont"].lower()
        checks.append(lambda w: v in str(w.get("subtitle") or "").lower())
    if s.get("subtitlePresent") is not None:
        want = s["subtitlePresent"]
        checks.append(lambda w: bool(w.get("subtitle")) == want)
    if s.get("imprintIdIn"):  # an empty list is no filter
        ids = set(s["imprintIdIn"])
        checks.append(
            lambda w: isinstance(w.get("imprint"), dict) and w["imprint"].get("id") in ids
        )
    return _all(checks)


def product_predicate(
    s: dict[str, Any], on: date, state: ConsonanceState
) -> Callable[[dict[str, Any]], bool]:
    checks: list[Callable[[dict[str, Any]], bool]] = []
    if s.get("after") is not None:
        after = s["after"]
        checks.append(lambda p: p["id"] > after)
    if s.get("idEq") is not None:
        ident = s["idEq"]
        checks.append(lambda p: p["id"] == ident)

    def isbn13(p: dict[str, Any]) -> str | None:
        obj = p.get("isbn")
        return obj.get("isbn13") if isinstance(obj, dict) else None

    if s.get("isbn13Eq") is not None:
        v = _norm_isbn(s["isbn13Eq"])
        checks.append(lambda p: isbn13(p) == v)
    if s.get("isbn13In"):  # an empty list is no filter
        vs = {_norm_isbn(x) for x in s["isbn13In"]}
        checks.append(lambda p: isbn13(p) in vs)
    if s.get("isbn13Assigned") is not None:
        want = s["isbn13Assigned"]
        checks.append(lambda p: (isbn13(p) is not None) == want)
    if s.get("titleEq") is not None:
        v = s["titleEq"]
        checks.append(lambda p: p.get("fullTitle") == v)
    if s.get("titleCont") is not None:
        v = s["titleCont"].lower()
        checks.append(lambda p: v in str(p.get("fullTitle") or "").lower())
    if s.get("titlePrefixPresent") is not None:
        want = str(s["titlePrefixPresent"]).strip().lower() in ("true", "1", "yes", "t")
        checks.append(lambda p: bool(p.get("titlePrefix")) == want)
    for key, op in (
        ("publicationDateEq", lambda a, b: a == b),
        ("publicationDateGt", lambda a, b: a > b),
        ("publicationDateLt", lambda a, b: a < b),
        ("publicationDateGteq", lambda a, b: a >= b),
        ("publicationDateLteq", lambda a, b: a <= b),
    ):
        if s.get(key) is not None:
            ref = s[key]
            checks.append(
                lambda p, ref=ref, op=op: (
                    (d := as_date(p.get("publicationDate"))) is not None and op(d, ref)
                )
            )
    if s.get("onix21ProductFormCodeIn"):
        forms = set(s["onix21ProductFormCodeIn"])
        checks.append(lambda p: p.get("onix21ProductFormCode") in forms)
    if s.get("changedSince") is not None:
        since = s["changedSince"]
        checks.append(lambda p: state.changed(p["workId"], since, on))
    if s.get("productTypes"):
        types = set(s["productTypes"])
        checks.append(lambda p: p.get("__typename") in types)
    return _all(checks)


def _all(checks: list[Callable[[dict[str, Any]], bool]]) -> Callable[[dict[str, Any]], bool]:
    if not checks:
        return lambda _: True
    if len(checks) == 1:
        return checks[0]
    return lambda rec: all(c(rec) for c in checks)
