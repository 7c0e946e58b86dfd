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


@schema.auth(refresh_interval=None)
class FreshToken:
    """A new token for every case (signout, one of the operations, kills the token it is sent
    with); schemathesis leaves it out where it tests a missing Authorization header."""

    def get(self, case, ctx):
        r = requests.post(
            f"{server().url}/v1/auth/access_token", json={"apiKey": DEFAULT_API_KEY}, timeout=10
        )
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": data}


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_openapi_conformance(case, st_server):
    case.call_and_validate(base_url=st_server.url)
