"""Helpers for the ByteNite emulator tests (a uniquely named module, imported by the tests and
by this folder's conftest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import requests

from emulators.bytenite import DEFAULT_API_KEY, create_app
from emulators.catalog import COUNTRIES, LegacyVideo, World, at
from emulators.common import ServerThread
from tests.integration.emulators.admin import EmulatorAdmin

SEED = 42
WORKS = 400
TODAY = date(2026, 11, 27)
SECOND_KEY = "second-emulator-key"
CUSTOMER = "/v1/customer"


@dataclass
class Emulator(EmulatorAdmin):
    """A running emulator and a session holding a valid access token."""

    url: str
    http: requests.Session = field(default_factory=requests.Session)
    token: str = ""

    def login(self, api_key: str = DEFAULT_API_KEY) -> str:
        r = self.http.post(f"{self.url}/v1/auth/access_token", json={"apiKey": api_key}, timeout=30)
        assert r.status_code == 200, r.text
        self.token = r.json()["token"]
        return self.token

    def call(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        headers.setdefault("Authorization", self.token if token is None else token)
        return self.http.request(method, f"{self.url}{path}", headers=headers, timeout=60, **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        r = self.call(method, path, **kwargs)
        assert r.status_code == 200, f"{method} {path}: {r.status_code} {r.text[:500]}"
        return r.json()

    def writes(self) -> list[dict[str, Any]]:
        return self.admin("GET", "writes")

    def pages(
        self, path: str, params: dict[str, Any] | None = None, limit: int = 1000
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        offset = 0
        while True:
            body = self.ok(
                "GET",
                path,
                params={**(params or {}), "pagination.limit": limit, "pagination.offset": offset},
            )
            out.extend(body["data"])
            assert body["pagination"]["total"] >= len(out)
            if not body["pagination"]["hasNext"]:
                assert body["pagination"]["total"] == len(out)
                return out
            offset += len(body["data"])

    def daily(
        self, first: date, last: date | None = None, limit: int = 1000, **filters: Any
    ) -> list[dict[str, Any]]:
        """Every row of a date range, paged; asserts the paging is complete and consistent."""
        rows: list[dict[str, Any]] = []
        offset = 0
        total = None
        while True:
            body = {
                "dateRange": {"from": first.isoformat(), "to": (last or first).isoformat()},
                "pagination": {"limit": limit, "offset": offset},
                **filters,
            }
            page = self.ok("POST", f"{CUSTOMER}/analytics/daily", json=body)
            total = page["pagination"]["total"] if total is None else total
            assert page["pagination"]["total"] == total
            rows.extend(page["data"])
            if not page["pagination"]["hasNext"]:
                assert len(rows) == total
                return rows
            offset += len(page["data"])


def start(**options: Any) -> tuple[Any, ServerThread]:
    settings = {
        "seed": SEED,
        "works": WORKS,
        "today": TODAY,
        "api_keys": (DEFAULT_API_KEY, SECOND_KEY),
        "rate_limit": 0,
        "job_step_seconds": 0.05,
        **options,
    }
    state, app = create_app(**settings)
    return state, ServerThread(app).start()


# --------------------------------------------------------------------------------------------
# Expectations computed from the catalogue alone (never from the emulator's code)
# --------------------------------------------------------------------------------------------

ALL_COUNTRIES = tuple(c for c, _ in COUNTRIES)


def legacy_videos(world: World, until: date) -> list[tuple[int, int, LegacyVideo]]:
    """(work index, n, video) of every legacy video made on or before ``until``."""
    return [
        (i, n, v)
        for i in range(world.n_works)
        for n, v in enumerate(world.legacy_videos(i))
        if v.created_on <= until
    ]


def expected_labels(world: World, i: int, n: int, v: LegacyVideo) -> dict[str, str]:
    spec = world.spec(i)
    deliverable = f"DELIVERABLE_TYPE_{v.deliverable}"
    if v.label_mode == "full":
        labels = {
            "consonanceWorkId": str(world.work_id(i)),
            "isbn13": world.isbn13(i, 0),
            "deliverableType": deliverable,
        }
        if v.audio_product_k is not None:
            labels["audioProductIsbn13"] = spec.products[v.audio_product_k].isbn13
        return labels
    if v.label_mode == "isbn":
        return {"isbn13": world.isbn13(i, 0), "deliverableType": deliverable}
    if v.label_mode == "unknown_isbn":
        return {"isbn13": world.unknown_isbn(i, n), "deliverableType": deliverable}
    return {}


def expected_regions(world: World, i: int, v: LegacyVideo) -> dict[str, list[str]]:
    """The brief's rule: rights of the relevant product as of publication, or nothing ("world")."""
    if v.region_mode == "world":
        return {"whitelist": [], "blacklist": []}
    product = world.spec(i).products[v.audio_product_k if v.audio_product_k is not None else 0]
    rights = at(product.rights, v.published_on)
    if not rights.for_sale:
        return {"whitelist": [], "blacklist": list(rights.not_for_sale)}
    return {
        "whitelist": [c for c in rights.for_sale if c not in rights.not_for_sale],
        "blacklist": [],
    }


def countries_of(regions: dict[str, list[str]]) -> set[str]:
    """Where a placement plays: whitelist (or everywhere + ZZ when it is empty) minus blacklist,
    over the countries the world has an audience in."""
    wl, bl = regions["whitelist"], regions["blacklist"]
    base = set(ALL_COUNTRIES) | {"ZZ"} if not wl else set(wl) & set(ALL_COUNTRIES)
    return base - set(bl)


def status_on(v: LegacyVideo, day: date) -> str:
    if v.unpublished_on is not None and v.unpublished_on <= day:
        return "PUBLISHING_STATUS_UNPUBLISHED"
    if v.published_on is not None and v.published_on <= day:
        return "PUBLISHING_STATUS_PUBLISHED"
    if v.ready_on <= day:
        return "PUBLISHING_STATUS_READY"
    return "PUBLISHING_STATUS_DRAFT"
