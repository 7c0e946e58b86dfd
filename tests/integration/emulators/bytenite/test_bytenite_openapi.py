"""Schema-driven test: every operation of openapi.yaml against the running emulator.

Schemathesis generates valid and invalid requests from the document and checks the answers with
its default checks. One deviation, configured below and nowhere else: ``positive_data_acceptance``
also accepts 400, because ByteNite (a grpc-gateway) answers FAILED_PRECONDITION (a job that is not
NEW, an asset that is not READY) and cross-field INVALID_ARGUMENT (``from`` after ``to``, a date
range over 366 days) with HTTP 400, and no JSON Schema can say "from <= to" or "the job is NEW".
Every other default check runs unchanged (server errors, status codes, content types, headers,
response schemas, negative data rejection, auth, unsupported methods).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import requests
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

import emulators.bytenite
from emulators.bytenite import DEFAULT_API_KEY, create_app
from emulators.common import ServerThread

pytestmark = pytest.mark.integration


_SERVER: list[ServerThread] = []


def server() -> ServerThread:
    """The emulator under test, of its own (schemathesis signs out, revokes and creates freely).
    Started on first use: schemathesis asks for a token while it collects explicit examples."""
    if not _SERVER:
        _, app = create_app(
            seed=42, works=150, today=date(2026, 11, 27), rate_limit=0, job_step_seconds=0.05
        )
        _SERVER.append(ServerThread(app).start())
    return _SERVER[0]


@pytest.fixture(scope="module")
def st_server():
    yield server()
    _SERVER.pop().stop()


# The document is static, so it is loaded from the file at import; the server's address is
# given per call. (schemathesis.pytest.from_fixture does not work with pytest 9.)
OPENAPI = Path(emulators.bytenite.__file__).with_name("openapi.yaml")
schema = schemathesis.openapi.from_path(
    OPENAPI,
    config=SchemathesisConfig.from_dict(
        {
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": [
                        "2xx",
                        "3xx",
                        "400",
                        "401",
                        "403",
                        "404",
                        "409",
                        "429",
                        "5xx",
                    ]
                }
            }
        }
    ),
)


def new_token() -> str:
    r = requests.post(
        f"{server().url}/v1/auth/access_token", json={"apiKey": DEFAULT_API_KEY}, timeout=10
    )
    assert r.status_code == 200, r.text
    return r.json()["token"]


_SHARED: list[str] = []


@schema.auth(refresh_interval=None)
class AccessToken:
    """The token schemathesis sends (and leaves out where it tests a missing Authorization
    header): one shared token, except for signout, which kills the token it is sent with."""

    def get(self, case, ctx):
        if case.operation.path == "/v1/auth/signout":
            return new_token()
        if not _SHARED:
            _SHARED.append(new_token())
        return _SHARED[0]

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": data}


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_openapi_conformance(case, st_server):
    case.call_and_validate(base_url=st_server.url)


def test_document_is_valid_and_covers_every_route(st_server) -> None:
    import re

    import jsonschema
    from schemathesis.specs.openapi.definitions import OPENAPI_30

    doc = requests.get(f"{st_server.url}/v1/customer/docs/swagger.json", timeout=10).json()
    assert doc == yaml.safe_load(OPENAPI.read_text())
    assert list(jsonschema.Draft4Validator(OPENAPI_30).iter_errors(doc)) == []
    _, app = create_app(works=10)
    served = set()
    for route in app.app.routes:
        if route.path.startswith("/_emulator"):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        served |= {(path, m.lower()) for m in route.methods if m != "HEAD"}
    documented = {
        (p, m)
        for p, item in doc["paths"].items()
        for m in item
        if m in ("get", "post", "patch", "delete", "put")
    }
    assert served == documented
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            extension = path.startswith(
                ("/v1/customer/assets", "/v1/customer/placements", "/v1/customer/analytics")
            ) or path.endswith("/assets")
            assert op.get("x-emulator-extension", False) is extension, (path, method)
            if extension:
                assert op["tags"][0].startswith("Extension"), (path, method)
                assert op["summary"].startswith("Extension — not part of ByteNite's public API"), (
                    path,
                    method,
                )
