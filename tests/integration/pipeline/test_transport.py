"""The retry policy against a scripted server over real HTTP."""

from __future__ import annotations

import json
import time

import pytest
import requests
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulators.common import ServerThread
from titlevideo.transport import ApiError, AuthError, PageGuard, PagingLoopError, RetryPolicy, call

pytestmark = pytest.mark.integration

SECRET = "s3cr3t-key-never-printed"


class Script:
    """Answers requests from a queue of (status, body, headers); records what it saw."""

    def __init__(self) -> None:
        self.queue: list[tuple[int, bytes, dict[str, str]]] = []
        self.seen: list[tuple[float, dict[str, str]]] = []

    async def handle(self, request: Request) -> Response:
        self.seen.append((time.monotonic(), dict(request.headers)))
        status, body, headers = self.queue.pop(0)
        return Response(body, status_code=status, headers=headers, media_type="application/json")


@pytest.fixture
def server():
    script = Script()
    app = Starlette(routes=[Route("/x", script.handle, methods=["GET", "POST"])])
    with ServerThread(app) as srv:
        yield srv, script


FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=2.0, read_timeout=5)


def _call(srv, policy=FAST, **kw):
    return call(
        requests.Session(),
        "POST",
        srv.url + "/x",
        system="Test",
        endpoint="POST /x",
        policy=policy,
        headers=lambda: {"Authorization": f"Bearer {SECRET}"},
        **kw,
    )


def test_retries_5xx_429_and_truncated_json_then_succeeds(server):
    srv, script = server
    script.queue = [
        (503, b"<html>busy</html>", {}),
        (429, b"{}", {"Retry-After": "0"}),  # 0 means "absent": exponential backoff instead
        (200, b'{"data": [1, 2', {}),  # truncated body
        (200, json.dumps({"ok": True}).encode(), {}),
    ]
    assert _call(srv) == {"ok": True}
    assert len(script.seen) == 4


def test_retry_after_is_honoured(server):
    srv, script = server
    script.queue = [(429, b"{}", {"Retry-After": "1"}), (200, b'{"ok": 1}', {})]
    assert _call(srv) == {"ok": 1}
    (t0, _), (t1, _) = script.seen
    assert t1 - t0 >= 0.95


def test_client_errors_fail_at_once_naming_the_endpoint_never_the_key(server):
    srv, script = server
    script.queue = [(400, json.dumps({"message": "templateId is required"}).encode(), {})]
    with pytest.raises(ApiError) as info:
        _call(srv)
    assert len(script.seen) == 1
    text = str(info.value)
    assert "Test POST /x" in text and "HTTP 400" in text and "templateId is required" in text
    assert SECRET not in text


def test_unauthorized_is_an_auth_error_with_a_hint(server):
    srv, script = server
    script.queue = [(401, json.dumps({"code": 16, "message": "invalid api key"}).encode(), {})]
    with pytest.raises(AuthError) as info:
        _call(srv)
    assert "invalid api key" in str(info.value) and "Airflow connection" in str(info.value)
    assert SECRET not in str(info.value)


def test_gives_up_after_the_bound(server):
    srv, script = server
    script.queue = [(502, b"bad gateway", {})] * 4
    with pytest.raises(ApiError, match="gave up after 4 attempts"):
        _call(srv)
    assert len(script.seen) == 4


def test_timeouts_are_retried():
    import asyncio

    calls = []

    async def slow(request: Request) -> Response:
        calls.append(1)
        if len(calls) == 1:
            await asyncio.sleep(1.0)
        return Response(b'{"ok": true}', media_type="application/json")

    app = Starlette(routes=[Route("/x", slow, methods=["POST"])])
    with ServerThread(app) as srv:
        policy = RetryPolicy(max_attempts=3, base_delay=0.01, read_timeout=0.3)
        assert _call(srv, policy=policy) == {"ok": True}
    assert len(calls) == 2


def test_unauthorized_refresh_hook_retries_once(server):
    srv, script = server
    refreshed = []
    script.queue = [(401, b"{}", {}), (200, b'{"ok": 2}', {})]
    result = _call(srv, on_unauthorized=lambda: refreshed.append(1) or True)
    assert result == {"ok": 2} and refreshed == [1]


def test_page_guard_stops_repeats_and_runaways():
    guard = PageGuard("things", max_pages=3)
    guard.see(0)
    guard.see(100)
    with pytest.raises(PagingLoopError, match="came back twice"):
        guard.see(100)
    guard.see(200)
    with pytest.raises(PagingLoopError, match="more than 3 pages"):
        guard.see(300)


def test_a_non_idempotent_write_is_never_retried_blindly(server):
    from titlevideo.transport import AmbiguousWrite

    srv, script = server
    script.queue = [(200, b'{"data": {"createWebLink": {"we', {})]  # applied, answer cut short
    with pytest.raises(AmbiguousWrite, match="may or may not have been applied"):
        _call(srv, idempotent=False)
    assert len(script.seen) == 1
    script.queue = [(502, b"bad gateway", {})]
    with pytest.raises(AmbiguousWrite):
        _call(srv, idempotent=False)
    assert len(script.seen) == 2


def test_a_rate_limited_non_idempotent_write_is_retried(server):
    srv, script = server
    script.queue = [(429, b"{}", {"Retry-After": "1"}), (200, b'{"ok": 3}', {})]
    assert _call(srv, idempotent=False) == {"ok": 3}
    assert len(script.seen) == 2
