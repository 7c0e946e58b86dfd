"""The preflight (``make check``) against the emulators over HTTP: a clean pass, and emulators
altered on purpose (a renamed field, a changed type, a removed path, introspection refused, a
wrong key), each named exactly by the report."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from starlette.responses import JSONResponse

from emulators.bytenite import DEFAULT_API_KEY as BYTENITE_KEY
from emulators.bytenite import create_app as bytenite_app
from emulators.common import ServerThread
from emulators.consonance import DEFAULT_API_KEY as CONSONANCE_KEY
from emulators.consonance import create_app as consonance_app
from emulators.consonance.graphql_api import SCHEMA_PATH
from titlevideo import preflight
from titlevideo.connections import Endpoint, connection_json
from titlevideo.consonance.queries import DOCUMENTS

pytestmark = pytest.mark.integration

TODAY = date(2026, 6, 1)
WORKS = 200


def consonance(url: str, key: str = CONSONANCE_KEY) -> Endpoint:
    return Endpoint("consonance_default", url, key)


def bytenite(url: str, **paths: str) -> Endpoint:
    return Endpoint("bytenite_default", url, BYTENITE_KEY, paths=dict(paths))


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    _, c = consonance_app(works=WORKS, today=TODAY)
    _, b = bytenite_app(works=WORKS, today=TODAY, rate_limit=0, job_step_seconds=0.05)
    with ServerThread(c) as cs, ServerThread(b) as bs:
        yield cs.url, bs.url


def errors(report: preflight.Report) -> list[str]:
    return [f"{f.system}: {f.check}: {f.detail}" for f in report.findings if not f.ok]


def test_a_clean_pass_against_the_emulators(servers):
    c, b = servers
    report = preflight.run({"Consonance": consonance(c), "ByteNite": bytenite(b)})
    assert errors(report) == [] and report.ok
    checks = [f.check for f in report.findings]
    assert checks[:2] == ["authentication", "schema by introspection"]
    assert [c.removeprefix("document ") for c in checks[2 : 2 + len(DOCUMENTS)]] == list(DOCUMENTS)
    assert all(not f.mismatches for f in report.findings)
    bytenite_checks = [f.check for f in report.findings if f.system == "ByteNite"]
    assert bytenite_checks[0] == "token exchange (POST /v1/auth/access_token)"
    # every path the pipeline uses is checked once
    from titlevideo.bytenite.paths import PATHS

    for name, path in PATHS.items():
        if name == "access_token":
            continue  # the token exchange, first
        assert sum(f"{name} ({path})" in check for check in bytenite_checks) == 1, name
    assert bytenite_checks[-1] == "rate-limit headers"
    assert "Preflight PASSED" in report.text()


def altered_sdl() -> str:
    sdl = SCHEMA_PATH.read_text(encoding="utf-8")
    # a renamed field: the products' publicationDate (not the inputs' of the same name)
    sdl, n = re.subn(
        r"  publicationDate: ISO8601Date\n(?=  (\"strftime|publicationDateString))",
        "  pubDate: ISO8601Date\n",
        sdl,
    )
    assert n == 8  # the interface and its seven implementations
    # a changed type: a price's amount
    sdl, n = re.subn(r"(type Price \{\n  )amount: Float!", r"\1amount: String!", sdl)
    assert n == 1
    return sdl


def test_an_altered_consonance_schema_fails_naming_exactly_the_changes(servers):
    _, c = consonance_app(works=WORKS, today=TODAY, schema_sdl=altered_sdl())
    with ServerThread(c) as cs:
        report = preflight.run({"Consonance": consonance(cs.url)})
    assert not report.ok
    lines = sorted(m.line() for f in report.findings for m in f.mismatches)
    renamed = (
        "expected ISO8601Date, found no field 'publicationDate' on Product (closest: 'pubDate')"
    )
    assert lines == [
        f"SEASON_WORKS_QUERY: works.products.publicationDate: {renamed}",
        "WORKS_QUERY: works.products.prices.amount: expected Float!, found String!",
        f"WORKS_QUERY: works.products.publicationDate: {renamed}",
    ]
    failed = sorted(f.check for f in report.findings if not f.ok)
    assert failed == ["document SEASON_WORKS_QUERY", "document WORKS_QUERY"]
    assert "SEASON_WORKS_QUERY: works.products.publicationDate: expected" in report.text()


def test_introspection_refused_falls_back_to_dry_calls(servers):
    _, c = consonance_app(works=WORKS, today=TODAY, introspection=False)
    with ServerThread(c) as cs:
        report = preflight.run({"Consonance": consonance(cs.url)})
    assert report.ok, errors(report)
    schema = next(f for f in report.findings if f.check == "schema by introspection")
    assert schema.detail.startswith("introspection is disabled (GraphQL introspection has been")
    details = {f.check.removeprefix("document "): f.detail for f in report.findings[2:]}
    assert details == {
        name: "valid (dry call)"
        if doc.lstrip().startswith("mutation")
        else "one page read (dry call)"
        for name, doc in DOCUMENTS.items()
    }
    # and an altered schema is caught by the dry calls too
    _, c = consonance_app(works=WORKS, today=TODAY, introspection=False, schema_sdl=altered_sdl())
    with ServerThread(c) as cs:
        report = preflight.run({"Consonance": consonance(cs.url)})
    assert sorted(f.check for f in report.findings if not f.ok) == [
        "document SEASON_WORKS_QUERY",
        "document WORKS_QUERY",
    ]
    lines = [m.line() for f in report.findings for m in f.mismatches]
    assert all("Cannot query field 'publicationDate' on type 'Product'" in x for x in lines)


def test_a_wrong_key_fails_authentication(servers):
    c, _ = servers
    report = preflight.run({"Consonance": consonance(c, "0123456789abcdef0123456789abcdef")})
    assert [(f.check, f.ok) for f in report.findings] == [("authentication", False)]
    assert "HTTP 401" in report.findings[0].detail


class _Router404:
    """The ByteNite emulator with one path no longer served (grpc-gateway's router 404) and, if
    asked, one path served under another name (a deployment that moved it)."""

    def __init__(self, app, removed: str, moved: tuple[str, str] | None = None):
        self.app, self.removed, self.moved = app, removed, moved

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            if scope["path"] == self.removed:
                body = {"code": 5, "message": "Not Found", "details": []}
                await JSONResponse(body, status_code=404)(scope, receive, send)
                return
            if self.moved and scope["path"] == self.moved[0]:
                scope = {**scope, "path": self.moved[1], "raw_path": self.moved[1].encode()}
        await self.app(scope, receive, send)


def test_a_removed_bytenite_path_fails_naming_it(servers):
    _, b = bytenite_app(works=WORKS, today=TODAY, rate_limit=0)
    with ServerThread(_Router404(b, "/v1/customer/placements")) as bs:
        report = preflight.run({"ByteNite": bytenite(bs.url)})
    assert errors(report) == [
        "ByteNite: GET placements (/v1/customer/placements): HTTP 404: the path is not served"
    ]


def test_paths_are_checked_after_the_connections_remapping(servers):
    _, b = bytenite_app(works=WORKS, today=TODAY, rate_limit=0)
    moved = ("/v2/placements", "/v1/customer/placements")
    with ServerThread(_Router404(b, "/v1/customer/placements", moved)) as bs:
        report = preflight.run({"ByteNite": bytenite(bs.url, placements="/v2/placements")})
    assert report.ok, errors(report)
    assert "GET placements (/v2/placements)" in [f.check for f in report.findings]


def test_make_check_prints_the_report_writes_json_and_exits_0_or_1(
    servers, tmp_path, monkeypatch, capsys
):
    c, b = servers
    monkeypatch.setenv("LAKE_ROOT", str(tmp_path))
    monkeypatch.setenv("AIRFLOW_CONN_CONSONANCE_DEFAULT", connection_json(c, CONSONANCE_KEY))
    monkeypatch.setenv("AIRFLOW_CONN_BYTENITE_DEFAULT", connection_json(b, BYTENITE_KEY))
    assert preflight.main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Preflight PASSED")
    (written,) = [p for p in (tmp_path / "reports" / "preflight").glob("2*.json")]
    saved = json.loads(written.read_text())
    assert saved["ok"] is True and saved["targets"] == {"Consonance": c, "ByteNite": b}
    assert BYTENITE_KEY not in written.read_text() and CONSONANCE_KEY not in written.read_text()
    # the DAGs' check: a pass less than a day old for the same connections is not re-run
    endpoints = preflight._local_endpoints()
    passed, text = preflight.check_cached(endpoints, tmp_path / "reports")
    assert passed and "cached for a day" in text
    # another key: checked again, and refused
    monkeypatch.setenv("AIRFLOW_CONN_CONSONANCE_DEFAULT", connection_json(c, "f" * 32))
    assert preflight.main(["--system", "consonance"]) == 1
    assert capsys.readouterr().out.startswith("Preflight FAILED")


def test_a_stale_or_failed_report_is_not_reused(tmp_path):
    endpoints = {"ByteNite": Endpoint("bytenite_default", "http://127.0.0.1:9", BYTENITE_KEY)}
    report = preflight.Report(
        {"ByteNite": "http://127.0.0.1:9"}, [], fingerprint=preflight.fingerprint(endpoints)
    )
    preflight.write_report(report, tmp_path)
    assert preflight.cached_pass(tmp_path, endpoints) is not None
    later = datetime.fromisoformat(report.checked_at) + preflight.CACHE_FOR
    assert preflight.cached_pass(tmp_path, endpoints, now=later) is None
    failed = preflight.Report(
        {"ByteNite": "http://127.0.0.1:9"},
        [preflight.Finding("ByteNite", "token exchange", False)],
        fingerprint=preflight.fingerprint(endpoints),
    )
    preflight.write_report(failed, tmp_path)
    assert preflight.cached_pass(tmp_path, endpoints) is None
    assert Path(tmp_path / "preflight" / "latest-bytenite.json").exists()
