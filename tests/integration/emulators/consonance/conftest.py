"""One Consonance emulator served over real HTTP for this folder's tests, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import requests

from emulators.catalog import World
from emulators.common import ServerThread
from emulators.consonance import DEFAULT_API_KEY, create_app
from tests.integration.emulators.admin import EmulatorAdmin

SEED = 42
WORKS = 1200
TODAY = date(2026, 6, 1)
BEARER = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
TOKEN = {"Authorization": f"Token token={DEFAULT_API_KEY}"}


@dataclass
class Emulator(EmulatorAdmin):
    url: str
    http: requests.Session

    def post_graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> requests.Response:
        body = {"query": query, "variables": variables, **extra}
        return self.http.post(
            f"{self.url}/graphql",
            json=body,
            headers=BEARER if headers is None else headers,
            timeout=30,
        )

    def gql(
        self, query: str, variables: dict[str, Any] | None = None, **extra: Any
    ) -> dict[str, Any]:
        """A GraphQL call expected to succeed at the HTTP level; returns the JSON body."""
        r = self.post_graphql(query, variables, **extra)
        assert r.status_code == 200, r.text
        return r.json()

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """A GraphQL call expected to succeed entirely; returns ``data``."""
        body = self.gql(query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def rest(
        self,
        params: Any = None,
        path: str = "/api/v4/products.json",
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        return self.http.get(
            f"{self.url}{path}",
            params=params,
            headers=TOKEN if headers is None else headers,
            timeout=30,
        )

    def fixtures(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.admin("POST", "fixtures", payload)

    def writes(self) -> list[dict[str, Any]]:
        return self.admin("GET", "writes")

    def all_pages(
        self, field: str, selection: str, search: str = "", search_arg: str | None = None
    ) -> list[dict[str, Any]]:
        """Every record of a root list, paging by ``after`` until a short page."""
        arg = search_arg or ("workSearch" if field == "works" else "productSearch")
        query = (
            f"query($after: Int) {{ {field}({arg}: {{after: $after {search}}}) {{ {selection} }} }}"
        )
        out: list[dict[str, Any]] = []
        after = None
        for _ in range(10_000):
            page = self.data(query, {"after": after})[field]
            assert len(page) <= 100
            out.extend(page)
            if len(page) < 100:
                return out
            after = page[-1]["id"]
        raise AssertionError("paging did not end")


@pytest.fixture(scope="session")
def _server() -> Iterator[str]:
    _, app = create_app(seed=SEED, works=WORKS, today=TODAY)
    with ServerThread(app) as server:
        yield server.url


@pytest.fixture
def emu(_server: str) -> Iterator[Emulator]:
    with requests.Session() as http:
        emulator = Emulator(_server, http)
        emulator.admin("POST", "reset")
        emulator.admin("POST", "faults", {"profile": "none"})
        emulator.set_today(TODAY)
        yield emulator


@pytest.fixture(scope="session")
def world() -> World:
    """The catalogue the server serves, built independently (same seed and size)."""
    return World(SEED, WORKS)
