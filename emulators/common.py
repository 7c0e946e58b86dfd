"""What both emulators share: the clock, the write log, fault injection, admin routes, serving.

Everything under ``/_emulator/`` is the emulators' own admin surface, not part of either real API:

=========================  =====================================================================
``GET  /_emulator/health``  seed, size, clock, fault profile
``POST /_emulator/reset``   forget every write and fixture; the clock and faults stay
``GET|POST /_emulator/clock``   read or set the emulated date ``{"today": "YYYY-MM-DD"}``
``GET|POST /_emulator/faults``  read or set the fault profile ``{"profile": "flaky"}``
``POST /_emulator/fixtures``    inject records (emulator-specific payload; see each emulator)
``GET  /_emulator/writes``  the log of write calls, a JSON list (``?since=<seq>`` to page)
``GET  /_emulator/stats``   requests served and faults injected, by kind
=========================  =====================================================================
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import logging
import socket
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

log = logging.getLogger("emulators")

# --------------------------------------------------------------------------------------------
# Clock
# --------------------------------------------------------------------------------------------


class Clock:
    """The emulated date. The world changes at midnight UTC; the time of day is the wall clock's."""

    def __init__(self, today: date | None = None):
        self._today = today or datetime.now(UTC).date()
        self._lock = threading.Lock()

    @property
    def today(self) -> date:
        return self._today

    def set(self, today: date) -> None:
        with self._lock:
            self._today = today

    def now(self) -> datetime:
        wall = datetime.now(UTC)
        return datetime.combine(self._today, wall.timetz())


def rfc3339(ts: datetime | None) -> str | None:
    """RFC 3339 UTC with microseconds, as ByteNite writes it (``2023-03-15T21:34:04.314444Z``)."""
    if ts is None:
        return None
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --------------------------------------------------------------------------------------------
# Write log
# --------------------------------------------------------------------------------------------


class WriteLog:
    """Every write call an emulator accepted or refused, in order, for tests and audits."""

    def __init__(self) -> None:
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def record(
        self,
        *,
        clock: Clock,
        method: str,
        path: str,
        operation: str,
        target: Any = None,
        payload: Any = None,
        outcome: str = "ok",
        status: int = 200,
        error: str | None = None,
    ) -> dict[str, Any]:
        with self._lock:
            entry = {
                "seq": len(self._entries) + 1,
                "at": rfc3339(datetime.now(UTC)),
                "today": clock.today.isoformat(),
                "method": method,
                "path": path,
                "operation": operation,
                "target": target,
                "payload": payload,
                "outcome": outcome,
                "status": status,
                "error": error,
            }
            self._entries.append(entry)
            return entry

    def entries(self, since: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries[since:])

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# --------------------------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaultProfile:
    """Shares of requests that fail, each way. Decisions are deterministic (see FaultInjector)."""

    name: str
    error_5xx: float = 0.0
    rate_limited: float = 0.0
    slow: float = 0.0
    timeout: float = 0.0
    drop: float = 0.0
    truncate: float = 0.0
    slow_seconds: float = 0.4
    #: how long a "timeout" answer takes; clients under test use a shorter read timeout.
    timeout_seconds: float = 3.0
    #: the same request is never faulted more than this many times, so bounded retries succeed.
    max_faults_per_request: int = 3

    @property
    def total(self) -> float:
        return (
            self.error_5xx
            + self.rate_limited
            + self.slow
            + self.timeout
            + self.drop
            + self.truncate
        )


PROFILES: dict[str, FaultProfile] = {
    "none": FaultProfile("none"),
    "flaky": FaultProfile(
        "flaky", error_5xx=0.05, rate_limited=0.03, slow=0.03, drop=0.02, truncate=0.02
    ),
    # chaos: at least 10% 5xx and 5% 429 *served*; the shares are set a little higher because a
    # request already failed max_faults_per_request times is let through (measured by the chaos
    # test: 10-11% and 5-6% of all requests)
    "chaos": FaultProfile(
        "chaos",
        error_5xx=0.12,
        rate_limited=0.06,
        slow=0.03,
        timeout=0.02,
        drop=0.03,
        truncate=0.03,
    ),
}


def fault_profile(name: str) -> FaultProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown fault profile {name!r}; choose one of {', '.join(PROFILES)}"
        ) from None


ErrorBody = Callable[[int], tuple[bytes, str]]  # status -> (body, content type)


class FaultInjector:
    """ASGI middleware that fails a deterministic share of requests.

    The decision for a request is a hash of (seed, method, path, query, body, n), where n counts
    earlier identical requests: the same request fails the same way on every run whatever else is
    in flight, and after ``max_faults_per_request`` failures it is always let through.
    """

    def __init__(
        self,
        app: Callable[..., Awaitable[None]],
        *,
        seed: int,
        profile: FaultProfile,
        error_body: ErrorBody,
        skip_prefixes: tuple[str, ...] = ("/_emulator",),
    ):
        self.app = app
        self.seed = seed
        self.profile = profile
        self.error_body = error_body
        self.skip_prefixes = skip_prefixes
        self._seen: Counter[str] = Counter()
        self._faulted: Counter[str] = Counter()
        self.stats: Counter[str] = Counter()
        self._lock = threading.Lock()

    def set_profile(self, profile: FaultProfile) -> None:
        with self._lock:
            self.profile = profile
            self._seen.clear()
            self._faulted.clear()

    def reset_counts(self) -> None:
        with self._lock:
            self._seen.clear()
            self._faulted.clear()
            self.stats.clear()

    def decide(self, method: str, path: str, query: bytes, body: bytes) -> str | None:
        p = self.profile
        key = hashlib.blake2b(
            b"\0".join((method.encode(), path.encode(), query, body)), digest_size=16
        ).hexdigest()
        with self._lock:
            n = self._seen[key]
            self._seen[key] += 1
            if p.total <= 0 or self._faulted[key] >= p.max_faults_per_request:
                return None
            roll = (
                int.from_bytes(
                    hashlib.blake2b(f"{self.seed}:{key}:{n}".encode(), digest_size=8).digest()
                )
                / 2**64
            )
            acc = 0.0
            for kind in ("error_5xx", "rate_limited", "slow", "timeout", "drop", "truncate"):
                acc += getattr(p, kind)
                if roll < acc:
                    if kind != "slow":
                        self._faulted[key] += 1
                    self.stats[kind] += 1
                    return kind
            return None

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip_prefixes):
            await self.app(scope, receive, send)
            return
        self.stats["requests"] += 1
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)  # like a client that keeps the connection open
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        kind = self.decide(scope["method"], scope["path"], scope.get("query_string", b""), body)
        if kind is None:
            await self.app(scope, replay, send)
        elif kind == "error_5xx":
            status = (500, 502, 503)[
                int(hashlib.md5(body + scope["path"].encode()).hexdigest(), 16) % 3
            ]
            payload, ctype = self.error_body(status)
            await _send_simple(send, status, payload, ctype)
        elif kind == "rate_limited":
            payload, ctype = self.error_body(429)
            # Mostly a real delay; sometimes "0", which well-behaved clients must treat as absent.
            retry_after = b"0" if self.stats["rate_limited"] % 4 == 0 else b"1"
            await _send_simple(send, 429, payload, ctype, extra=[(b"retry-after", retry_after)])
        elif kind in ("slow", "timeout"):
            await asyncio.sleep(
                self.profile.slow_seconds if kind == "slow" else self.profile.timeout_seconds
            )
            await self.app(scope, replay, send)
        elif kind == "drop":
            # Headers promise a body that never comes, then the connection closes.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", b"4096"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b'{"data": ', "more_body": True})
            raise _DroppedConnection
        elif kind == "truncate":
            captured: dict[str, Any] = {"body": b""}

            async def capture(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    captured["start"] = message
                elif message["type"] == "http.response.body":
                    captured["body"] += message.get("body", b"")

            await self.app(scope, replay, capture)
            whole = captured["body"]
            cut = whole[: max(1, len(whole) // 2)]
            start = dict(captured["start"])
            start["headers"] = [
                (k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"
            ]
            start["headers"].append((b"content-length", str(len(cut)).encode()))
            await send(start)
            await send({"type": "http.response.body", "body": cut, "more_body": False})


class _DroppedConnection(Exception):
    """Raised to make the server close the connection mid-response (a simulated drop)."""


async def _send_simple(
    send: Callable,
    status: int,
    body: bytes,
    ctype: str,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers = [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode())]
    headers += extra or []
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class _QuietDrops(logging.Filter):
    """Keep simulated drops out of the server log (they are intended, not errors)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, _DroppedConnection)


# --------------------------------------------------------------------------------------------
# Admin routes
# --------------------------------------------------------------------------------------------


class EmulatorCore:
    """State every emulator has: seed, size, clock, write log, faults. Subclasses add the world."""

    name = "emulator"

    def __init__(
        self, *, seed: int, works: int, today: date | None, faults: str, api_keys: tuple[str, ...]
    ):
        self.seed = seed
        self.works = works
        self.clock = Clock(today)
        self.writes = WriteLog()
        self.api_keys = set(api_keys)
        self.fault_name = faults
        self.injector: FaultInjector | None = None
        fault_profile(faults)  # validate early

    # Subclasses override these two.
    def reset(self) -> None:
        self.writes.clear()

    def load_fixtures(self, payload: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("this emulator takes no fixtures")

    def health(self) -> dict[str, Any]:
        return {
            "ok": True,
            "emulator": self.name,
            "seed": self.seed,
            "works": self.works,
            "today": self.clock.today.isoformat(),
            "faults": self.fault_name,
        }

    def set_faults(self, name: str, overrides: dict[str, Any] | None = None) -> None:
        profile = fault_profile(name)
        if overrides:
            profile = replace(profile, **overrides)
        self.fault_name = name
        if self.injector is not None:
            self.injector.set_profile(profile)

    def admin_routes(self) -> list[Any]:
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def health(_: Request) -> JSONResponse:
            return JSONResponse(self.health())

        async def reset(_: Request) -> JSONResponse:
            self.reset()
            if self.injector is not None:
                self.injector.reset_counts()
            return JSONResponse({"ok": True})

        async def clock(request: Request) -> JSONResponse:
            if request.method == "POST":
                body = await _json_body(request)
                try:
                    self.clock.set(date.fromisoformat(str(body.get("today"))))
                except ValueError:
                    return JSONResponse(
                        {"error": 'body must be {"today": "YYYY-MM-DD"}'}, status_code=400
                    )
            return JSONResponse({"today": self.clock.today.isoformat()})

        async def faults(request: Request) -> JSONResponse:
            if request.method == "POST":
                body = await _json_body(request)
                try:
                    self.set_faults(str(body.get("profile", "none")), body.get("overrides"))
                except (ValueError, TypeError) as exc:
                    return JSONResponse({"error": str(exc)}, status_code=400)
            profile = self.injector.profile if self.injector else fault_profile(self.fault_name)
            return JSONResponse({"profile": self.fault_name, "settings": asdict(profile)})

        async def fixtures(request: Request) -> JSONResponse:
            body = await _json_body(request)
            try:
                return JSONResponse(self.load_fixtures(body))
            except (ValueError, KeyError, TypeError) as exc:
                return JSONResponse({"error": f"bad fixture: {exc}"}, status_code=400)

        async def writes(request: Request) -> JSONResponse:
            since = int(request.query_params.get("since", "0") or 0)
            return JSONResponse(self.writes.entries(since))

        async def stats(_: Request) -> JSONResponse:
            return JSONResponse(dict(self.injector.stats) if self.injector else {})

        return [
            Route("/_emulator/health", health, methods=["GET"]),
            Route("/_emulator/reset", reset, methods=["POST"]),
            Route("/_emulator/clock", clock, methods=["GET", "POST"]),
            Route("/_emulator/faults", faults, methods=["GET", "POST"]),
            Route("/_emulator/fixtures", fixtures, methods=["POST"]),
            Route("/_emulator/writes", writes, methods=["GET"]),
            Route("/_emulator/stats", stats, methods=["GET"]),
        ]

    def wrap(self, app: Any, error_body: ErrorBody) -> FaultInjector:
        self.injector = FaultInjector(
            app, seed=self.seed, profile=fault_profile(self.fault_name), error_body=error_body
        )
        return self.injector


async def _json_body(request: Any) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# --------------------------------------------------------------------------------------------
# Serving
# --------------------------------------------------------------------------------------------


def common_arguments(
    parser: argparse.ArgumentParser, *, default_port: int, default_key: str
) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=default_port, help="0 picks a free port (printed on start)"
    )
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        help=f"accepted API key (repeatable; default {default_key!r})",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--works", type=int, default=2000, help="catalogue size (up to 100,000 for benchmarks)"
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="the emulated date, YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument(
        "--go-live",
        type=date.fromisoformat,
        default=None,
        help="the day the integration goes live: video made before it is seeded history, made "
        "by hand (default: the emulated date the emulator starts on)",
    )
    parser.add_argument("--faults", default="none", choices=sorted(PROFILES))
    parser.add_argument("--log-level", default="warning")


def go_live_of(args: argparse.Namespace) -> date:
    """``--go-live``, else the emulated start date: served on its own, an emulator models a
    publisher whose integration goes live the day it is first run, so everything up to then
    (recent and upcoming titles included) has hand-made video history."""
    return args.go_live or args.today or datetime.now(UTC).date()


def world_of(args: argparse.Namespace, default_key: str) -> dict[str, Any]:
    """The ``create_app`` keywords of the :func:`common_arguments`: the world (seed, works, the
    emulated date, :func:`go_live_of`), the fault profile, and the accepted API keys (every
    ``--api-key``, else ``default_key``)."""
    return {
        "seed": args.seed,
        "works": args.works,
        "today": args.today,
        "faults": args.faults,
        "api_keys": tuple(args.api_keys or (default_key,)),
        "go_live": go_live_of(args),
    }


class ServerThread:
    """Serve an ASGI app with uvicorn on a background thread (tests, the default run, benches)."""

    def __init__(
        self, app: Any, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning"
    ):
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.host, self.port = self.sock.getsockname()[:2]
        config = uvicorn.Config(
            app, log_level=log_level, access_log=False, lifespan="off", timeout_keep_alive=30
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("emulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        with contextlib.suppress(OSError):
            self.sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever(app: Any, host: str, port: int, log_level: str, banner: str) -> None:
    """Run in the foreground (``python -m emulators.<name>``); prints the URL once listening."""
    server = ServerThread(app, host, port, log_level)
    server.start()
    print(f"{banner} listening on {server.url}", flush=True)
    try:
        server.thread.join()
    except KeyboardInterrupt:
        server.stop()
