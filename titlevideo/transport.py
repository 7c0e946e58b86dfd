"""The one retry policy, error vocabulary and paging guard every API call goes through.

* A timeout on every request (connect, read).
* Retries on 5xx, 429, timeouts, dropped connections and truncated JSON: exponential backoff with
  full jitter, ``Retry-After`` honoured when it is a positive number of seconds (``0``, negative or
  unparsable values are treated as absent, the dlt #4036 lesson), bounded attempts.
* Any other 4xx fails at once with :class:`ApiError`, whose message names the endpoint and the
  server's own message, never a credential (headers are never logged or echoed).
* :func:`classify` is the policy itself, pure: one attempt's response or network error in, a
  :class:`Verdict` out; :func:`call` sends, classifies, sleeps and retries.
* :class:`PageGuard` stops a paging loop that repeats a cursor or runs past a page bound.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from queue import Full, Queue
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import requests.auth
import tenacity

log = logging.getLogger(__name__)

T = TypeVar("T")


class ApiError(RuntimeError):
    """A request the server refused for good (or that kept failing); never retried further."""

    def __init__(self, system: str, endpoint: str, status: int | None, message: str):
        self.system = system
        self.endpoint = endpoint
        self.status = status
        self.server_message = message
        where = f"{system} {endpoint}"
        super().__init__(
            f"{where} failed" + (f" with HTTP {status}" if status else "") + f": {message}"
        )


class AuthError(ApiError):
    """401/403: the key is wrong, revoked or lacks permission. Fix the Airflow connection."""


class AmbiguousWrite(ApiError):
    """A non-idempotent write failed in a way that leaves unknown whether the server applied it
    (timeout, dropped connection, truncated answer, 5xx). Never retried blindly: the caller reads
    the remote state back and retries only if the write is not there."""


class TransientError(RuntimeError):
    """A failure worth retrying (5xx, 429, timeout, dropped connection, truncated body)."""

    def __init__(self, message: str, retry_after: float | None = None, status: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status
        #: why the server could not be reached at all (refused, unresolvable...), if so
        self.unreachable: str | None = None


class PagingLoopError(RuntimeError):
    """A paging loop saw the same cursor twice or ran past its bound."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of the retry loop. One instance is shared by every client."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    #: seconds a server may still apply a write after the client stopped waiting for it (read
    #: timeout, connection lost before an answer); nothing more is sent, and no read-back is
    #: trusted, before they have passed, so a late write never lands after its retry
    write_settle: float = 30.0

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any] | None) -> RetryPolicy:
        """Read overrides from an Airflow connection's ``extra`` (``max_attempts``, ``timeout``...)."""
        extra = extra or {}
        kwargs: dict[str, Any] = {}
        for key in (
            "max_attempts",
            "base_delay",
            "max_delay",
            "connect_timeout",
            "read_timeout",
            "write_settle",
        ):
            if key in extra:
                kwargs[key] = type(getattr(cls, key))(extra[key])
        if "timeout" in extra:
            kwargs["read_timeout"] = float(extra["timeout"])
        policy = cls(**kwargs)
        if policy.max_attempts < 1 or policy.read_timeout <= 0 or policy.connect_timeout <= 0:
            raise ValueError("connection extra: max_attempts must be >= 1 and timeouts > 0")
        if policy.write_settle < 0:
            raise ValueError("connection extra: write_settle must be >= 0")
        return policy


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header; None when absent, non-positive or unparsable."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return seconds if seconds > 0 else None


def _wait(policy: RetryPolicy) -> Callable[[tenacity.RetryCallState], float]:
    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            return min(float(retry_after), policy.max_delay)
        ceiling = min(policy.max_delay, policy.base_delay * 2 ** (state.attempt_number - 1))
        return random.uniform(0, ceiling)

    return wait


def _log_retry(system: str, endpoint: str) -> Callable[[tenacity.RetryCallState], None]:
    def before_sleep(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s %s: attempt %d failed (%s); retrying in %.1fs",
            system,
            endpoint,
            state.attempt_number,
            exc,
            state.next_action.sleep if state.next_action else 0,
        )

    return before_sleep


try:  # a compiled JSON parser, 2–2.6× faster than json on the extraction pages
    import msgspec

    _DECODE: Callable[[bytes], Any] | None = msgspec.json.Decoder().decode
    _DECODE_ERRORS: tuple[type[Exception], ...] = (msgspec.MsgspecError,)
except ImportError:  # pragma: no cover - msgspec comes with Airflow
    _DECODE, _DECODE_ERRORS = None, ()


class _HeadersOnly(requests.auth.AuthBase):
    """Credentials come from the Airflow connection, as headers, and from nowhere else.

    Without an ``auth``, requests looks the host up in ``~/.netrc`` on every request (two file
    checks per page) and, on a match, replaces the ``Authorization`` header with Basic auth.
    """

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


_HEADERS_ONLY = _HeadersOnly()


def parse_json(response: requests.Response) -> Any:
    """The response's JSON, exactly as ``response.json()`` would parse it, only faster.

    msgspec parses UTF-8 bodies; whatever it refuses (NaN, 1e400, lone surrogates, truncated or
    non-UTF-8 bodies) goes to ``response.json()``, which parses it or raises ``ValueError``.
    """
    encoding = (response.encoding or "utf-8").lower().replace("-", "").replace("_", "")
    if _DECODE is not None and encoding == "utf8":
        try:
            return _DECODE(response.content)
        except _DECODE_ERRORS:
            pass
    return response.json()


_SERVER_MESSAGE_KEYS = ("message", "error", "errors", "detail")


def _server_message(response: requests.Response) -> str:
    """The server's own explanation, shortened; never includes request headers."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip().replace("\n", " ")
        return text[:200] or response.reason or "no message"
    if isinstance(body, dict):
        for key in _SERVER_MESSAGE_KEYS:
            if key in body and body[key]:
                value = body[key]
                if isinstance(value, list) and value and isinstance(value[0], dict):
                    value = "; ".join(str(v.get("message", v)) for v in value)
                elif isinstance(value, dict):
                    value = value.get("message") or json.dumps(value)[:200]
                return str(value)[:300]
    return json.dumps(body)[:200]


class Outcome(Enum):
    """What one attempt of a request came to (see :func:`classify`)."""

    OK = "ok"  # a parsed JSON body
    RETRY = "retry"  # worth another attempt (5xx, 429, timeout, dropped connection, bad body)
    AMBIGUOUS = "ambiguous"  # a write that may or may not have been applied: never retried blindly
    AUTH = "auth"  # 401/403: the credentials are wrong
    REFUSED = "refused"  # any other 4xx: refused for good


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    #: OK: the parsed body; otherwise the message (AUTH/REFUSED: the server's own)
    body: Any = None
    message: str = ""
    status: int | None = None
    #: RETRY: seconds the server asked to wait (``Retry-After``)
    retry_after: float | None = None
    #: RETRY: why the host could not be reached (connection refused, connect timeout, ...)
    unreachable: str | None = None
    #: the request went out and no answer came back: the server may still be applying it
    no_answer: bool = False


_NETWORK_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)


def classify(
    outcome: requests.Response | BaseException,
    idempotent: bool,
    *,
    system: str = "",
    endpoint: str = "",
) -> Verdict:
    """The verdict on one attempt: a response, or the exception ``session.request`` raised
    (timeouts, connection errors, a connection dropped mid-response). Pure: no I/O, no sleep.

    ``idempotent=False`` (a create that would duplicate if repeated): only failures that prove the
    request was not applied (429, connection refused, connect timeout) are worth a retry; any
    other failure is :attr:`Outcome.AMBIGUOUS`.
    """
    where = f"{system} {endpoint}"
    if isinstance(outcome, BaseException):
        exc = outcome
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return Verdict(
                Outcome.RETRY,
                message=f"connect timeout talking to {where}",
                unreachable="connect timeout",
            )
        if isinstance(exc, requests.Timeout | requests.ConnectionError):
            message = f"{type(exc).__name__} talking to {where}"
            refused = isinstance(exc, requests.ConnectionError) and "refused" in str(exc).lower()
            if not refused and not idempotent:
                return Verdict(Outcome.AMBIGUOUS, message=message, no_answer=True)
            if isinstance(exc, requests.Timeout):
                return Verdict(Outcome.RETRY, message=message, no_answer=not refused)
            return Verdict(
                Outcome.RETRY,
                message=message,
                unreachable=_connection_problem(exc),
                no_answer=not refused,
            )
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            message = f"connection dropped mid-response from {where}"
            return Verdict(Outcome.RETRY if idempotent else Outcome.AMBIGUOUS, message=message)
        raise TypeError(f"not a network error: {exc!r}")
    response = outcome
    status = response.status_code
    if status == 429:
        return Verdict(
            Outcome.RETRY,
            message=f"{where}: rate limited (429)",
            status=429,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status >= 500:
        return Verdict(
            Outcome.RETRY if idempotent else Outcome.AMBIGUOUS,
            message=f"{where}: server error {status}",
            status=status,
        )
    if status in (401, 403):
        return Verdict(Outcome.AUTH, message=_server_message(response), status=status)
    if status >= 400:
        return Verdict(Outcome.REFUSED, message=_server_message(response), status=status)
    try:
        return Verdict(Outcome.OK, body=parse_json(response), status=status)
    except ValueError:
        if not idempotent:
            return Verdict(
                Outcome.AMBIGUOUS, message=f"{where}: truncated or invalid JSON body", status=status
            )
        return Verdict(
            Outcome.RETRY,
            message=f"{where}: truncated or invalid JSON body ({len(response.content)} bytes)",
        )


def _act(verdict: Verdict, system: str, endpoint: str, where: str) -> Any:
    """Carry out a verdict: the body, or the exception :func:`call` raises or retries on."""
    if verdict.outcome is Outcome.OK:
        return verdict.body
    if verdict.outcome is Outcome.RETRY:
        error = TransientError(verdict.message, verdict.retry_after, verdict.status)
        error.unreachable = verdict.unreachable
        raise error
    if verdict.outcome is Outcome.AMBIGUOUS:
        raise AmbiguousWrite(
            system,
            endpoint,
            verdict.status,
            f"{verdict.message}; the write may or may not have been applied",
        )
    if verdict.outcome is Outcome.AUTH:
        raise AuthError(
            system,
            endpoint,
            verdict.status,
            f"{verdict.message} (check the API key, the password of {where})",
        )
    raise ApiError(system, endpoint, verdict.status, verdict.message)


def call(
    session: requests.Session,
    method: str,
    url: str,
    *,
    system: str,
    endpoint: str,
    policy: RetryPolicy,
    json_body: Any = None,
    params: Mapping[str, Any] | None = None,
    headers: Callable[[], Mapping[str, str]] | None = None,
    on_unauthorized: Callable[[], bool] | None = None,
    idempotent: bool = True,
    settle: float = 0.0,
    connection: str | None = None,
) -> Any:
    """Send one request under the retry policy and return the parsed JSON body.

    ``headers`` is called before every attempt (so a refreshed token is picked up);
    ``on_unauthorized`` may refresh credentials once and return True to retry a 401 immediately.
    ``idempotent=False`` (a create that would duplicate if repeated): only failures that prove the
    request was not applied (429, connection refused) are retried; anything else raises
    :class:`AmbiguousWrite`. ``settle`` (writes: ``policy.write_settle``): after a timeout or a
    connection lost before any answer, wait this long before retrying or raising, since the
    server may still be applying the request. ``connection`` (the Airflow connection id) is named
    in the errors that a fix of the connection cures (wrong key, unreachable host).
    """
    refreshed = False
    where = f"Airflow connection {connection!r}" if connection else "the Airflow connection"

    def attempt() -> Any:
        nonlocal refreshed
        try:
            response: requests.Response | BaseException = session.request(
                method,
                url,
                json=json_body,
                params=params,
                headers=dict(headers() if headers else {}),
                auth=_HEADERS_ONLY,
                timeout=policy.timeout,
            )
        except _NETWORK_ERRORS as exc:
            response = exc
        if (
            isinstance(response, requests.Response)
            and response.status_code == 401
            and on_unauthorized is not None
            and not refreshed
            and on_unauthorized()
        ):
            refreshed = True
            raise TransientError(
                f"{system} {endpoint}: token refused, refreshed", retry_after=0.01, status=401
            )
        verdict = classify(response, idempotent, system=system, endpoint=endpoint)
        if verdict.no_answer and settle > 0:
            log.warning("%s %s: no answer; settling %.1fs", system, endpoint, settle)
            time.sleep(settle)
        return _act(verdict, system, endpoint, where)

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(TransientError),
        stop=tenacity.stop_after_attempt(policy.max_attempts),
        wait=_wait(policy),
        before_sleep=_log_retry(system, endpoint),
        reraise=True,
    )
    try:
        return retrying(attempt)
    except TransientError as exc:
        if exc.unreachable:
            parts = urlsplit(url)
            host = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
            raise ApiError(
                system,
                endpoint,
                None,
                f"cannot reach {host} ({exc.unreachable}) after {policy.max_attempts} attempts: "
                f"check that the service is up and the host of {where}",
            ) from None
        raise ApiError(
            system, endpoint, exc.status, f"gave up after {policy.max_attempts} attempts: {exc}"
        ) from None


def _connection_problem(exc: Exception) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if any(
        s in text for s in ("name or service not known", "nodename nor servname", "name resolution")
    ):
        return "the host name does not resolve"
    return type(exc).__name__


class PageGuard:
    """Stops pagination that repeats itself or runs away.

    Call :meth:`see` with each page's cursor (an ``after`` id, an offset...) before fetching it.
    """

    def __init__(self, what: str, max_pages: int = 1_000_000):
        self.what = what
        self.max_pages = max_pages
        self.pages = 0
        self._seen: set[Any] = set()

    def see(self, cursor: Any) -> None:
        if cursor in self._seen:
            raise PagingLoopError(
                f"{self.what}: page cursor {cursor!r} came back twice; stopping to avoid a loop"
            )
        self._seen.add(cursor)
        self.pages += 1
        if self.pages > self.max_pages:
            raise PagingLoopError(f"{self.what}: more than {self.max_pages} pages; stopping")


_END = object()


def prefetch(pages: Iterable[T], depth: int = 1) -> Iterator[T]:
    """Yield the items of ``pages`` while a background thread already fetches the next ``depth``.

    An extraction then waits for the server and processes the previous page at the same time
    (network waits release the GIL) instead of one after the other; memory grows by at most
    ``depth`` pages. The producer's exceptions (ApiError, PagingLoopError…) are raised here, in
    order, after the items before them. Leaving the loop early stops the producer after its
    current request.
    """
    queue_: Queue[tuple[Any, BaseException | None]] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any, error: BaseException | None = None) -> bool:
        while not stop.is_set():
            try:
                queue_.put((item, error), timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(pages)
        try:
            for item in iterator:
                if not put(item):
                    return
            put(_END)
        except BaseException as exc:  # handed to the consumer, raised there
            put(_END, exc)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()

    thread = threading.Thread(target=produce, name="prefetch-pages", daemon=True)
    thread.start()
    try:
        while True:
            item, error = queue_.get()
            if item is _END:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()


class RateLimiter:
    """A token bucket for write calls (``rate`` per second, bursts up to ``burst``)."""

    def __init__(self, rate: float, burst: int | None = None):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = float(burst or max(1, int(rate)))
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                time.sleep((1 - self.tokens) / self.rate)


class Progress:
    """Logs pages, records and rate at most every ``every`` seconds (and once at the end)."""

    def __init__(self, what: str, every: float = 10.0, logger: logging.Logger | None = None):
        self.what = what
        self.every = every
        self.log = logger or log
        self.started = time.monotonic()
        self.last = self.started
        self.pages = 0
        self.records = 0

    def add(self, records: int) -> None:
        self.pages += 1
        self.records += records
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self._emit("progress")

    def done(self) -> dict[str, Any]:
        self._emit("done")
        elapsed = time.monotonic() - self.started
        return {"pages": self.pages, "records": self.records, "seconds": round(elapsed, 3)}

    def _emit(self, label: str) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        self.log.info(
            "%s %s: %d pages, %d records, %.0f records/s",
            self.what,
            label,
            self.pages,
            self.records,
            self.records / elapsed,
        )
