"""The ``flaky`` fault profile: each kind of failure happens, deterministically, and a client that
retries sensibly ends up with exactly the data of a clean run."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from .conftest import BEARER, TOKEN

pytestmark = pytest.mark.integration

SLOW_SECONDS = 0.15  # shortened from flaky's 0.4 s to keep the test quick
N_PROBES = 240
NGINX_502 = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n"


def probe(emu, n: int) -> tuple[list[str], list[float], dict[str, Any]]:
    """n distinct small GraphQL requests: the outcome and duration of each, one body per status.

    A delayed ("slow") answer is an "ok" outcome: timing is reported apart, as a busy machine
    can make any request slow.
    """
    outcomes: list[str] = []
    durations: list[float] = []
    bodies: dict[str, Any] = {}
    query = "query($id: Int) { work(workSearch: {idEq: $id}) { id } }"
    for i in range(n):
        started = time.perf_counter()
        try:
            r = requests.post(
                f"{emu.url}/graphql",
                json={"query": query, "variables": {"id": 1001 + i}},
                headers=BEARER,
                timeout=10,
            )
        except requests.exceptions.RequestException:
            outcomes.append("dropped")
            continue
        durations.append(time.perf_counter() - started)
        if r.status_code != 200:
            outcomes.append(str(r.status_code))
            bodies.setdefault(
                str(r.status_code),
                (r.headers.get("content-type"), r.text, r.headers.get("retry-after")),
            )
            continue
        try:
            assert r.json() == {"data": {"work": {"id": 1001 + i}}}
        except ValueError:
            outcomes.append("truncated")
            continue
        outcomes.append("ok")
    return outcomes, durations, bodies


def test_flaky_fails_requests_in_every_way_deterministically(emu):
    flaky = {"profile": "flaky", "overrides": {"slow_seconds": SLOW_SECONDS}}
    emu.admin("POST", "faults", flaky)
    first, durations, bodies = probe(emu, N_PROBES)
    stats = emu.admin("GET", "stats")
    emu.admin("POST", "reset")  # forgets which requests were seen
    emu.admin("POST", "faults", flaky)
    second, _, _ = probe(emu, N_PROBES)
    assert first == second
    assert emu.admin("GET", "stats") == stats
    counts = {kind: first.count(kind) for kind in set(first)}
    assert set(counts) == {"ok", "500", "502", "503", "429", "dropped", "truncated"}
    # every delayed answer took at least the delay (other answers may be slow on a busy machine)
    assert stats["slow"] > 0 and sum(d >= SLOW_SECONDS for d in durations) >= stats["slow"]
    assert counts["500"] + counts["502"] + counts["503"] == stats["error_5xx"]
    assert (counts["429"], counts["dropped"], counts["truncated"]) == (
        stats["rate_limited"],
        stats["drop"],
        stats["truncate"],
    )
    assert stats["requests"] == N_PROBES
    assert bodies["500"][:2] == (
        "application/json",
        '{"errors": [{"message": "Internal server error"}]}',
    )
    assert bodies["429"][0] == "application/json" and bodies["429"][2] in ("0", "1")
    assert bodies["502"][:2] == ("text/html", NGINX_502)
    assert (
        bodies["503"][0] == "text/html"
        and "503 Service Temporarily Unavailable" in bodies["503"][1]
    )
    # admin routes are never faulted
    assert all(emu.admin("GET", "health")["faults"] == "flaky" for _ in range(30))


class RetryingClient:
    """Retries transport errors, 5xx, 429 (honouring a short Retry-After) and truncated bodies."""

    def __init__(self, url: str):
        self.url = url
        self.attempts = 0

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        for _ in range(8):
            self.attempts += 1
            try:
                r = requests.request(method, f"{self.url}{path}", timeout=10, **kwargs)
            except requests.exceptions.RequestException:
                continue
            if r.status_code == 429:
                time.sleep(min(float(r.headers.get("Retry-After") or 0), 0.2))
                continue
            if r.status_code >= 500:
                continue
            assert r.status_code == 200, r.text
            try:
                return r.json()
            except ValueError:
                continue
        raise AssertionError("gave up")


def extract(url: str) -> tuple[list[Any], int]:
    client = RetryingClient(url)
    query = """query($after: Int) { works(workSearch: {after: $after}) { id title season projectStage
        contributions { id contributor { name } } products { id isbn { isbn13 } onixPublishingStatusCode forSaleCountryCodes
        prices { amount currencyCode } } } }"""
    pages: list[Any] = []
    after = None
    while True:
        page = client.call(
            "POST", "/graphql", json={"query": query, "variables": {"after": after}}, headers=BEARER
        )["data"]["works"]
        pages.append(page)
        if len(page) < 100:
            break
        after = page[-1]["id"]
    for n in range(1, 60):
        body = client.call(
            "GET", "/api/v4/products.json", params={"page": n, "per_page": 70}, headers=TOKEN
        )
        pages.append(body)
        if n >= body["total_pages"]:
            break
    return pages, client.attempts


def test_a_retrying_client_gets_the_same_data_as_in_a_clean_run(emu):
    clean, clean_attempts = extract(emu.url)
    emu.admin("POST", "faults", {"profile": "flaky"})
    flaky, flaky_attempts = extract(emu.url)
    stats = emu.admin("GET", "stats")
    assert flaky == clean
    failed = sum(stats.get(kind, 0) for kind in ("error_5xx", "rate_limited", "drop", "truncate"))
    assert failed > 0 and flaky_attempts == clean_attempts + failed
