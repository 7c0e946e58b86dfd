"""transport.classify: the retry policy as a pure function, one attempt's outcome at a time."""

from __future__ import annotations

import json

import pytest
import requests

from titlevideo.transport import Outcome, classify

pytestmark = pytest.mark.unit

WHERE = {"system": "ByteNite", "endpoint": "POST /v1/customer/jobs"}


def response(status: int, body: bytes = b"{}", **headers: str) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body
    r.encoding = "utf-8"
    r.headers.update(headers)
    return r


@pytest.mark.parametrize("idempotent", [True, False])
def test_a_json_answer_is_its_body(idempotent):
    body = {"job": {"id": "j1", "state": "JOB_STATE_NEW"}, "n": [1, 2.5, None]}
    verdict = classify(response(200, json.dumps(body).encode()), idempotent, **WHERE)
    assert verdict.outcome is Outcome.OK
    assert verdict.body == body


def test_a_truncated_body_is_retried_on_a_read_and_ambiguous_on_a_write():
    cut = b'{"job": {"id": "j1", "sta'
    read = classify(response(200, cut), True, **WHERE)
    assert read.outcome is Outcome.RETRY
    assert read.message == (
        "ByteNite POST /v1/customer/jobs: truncated or invalid JSON body (25 bytes)"
    )
    write = classify(response(200, cut), False, **WHERE)
    assert write.outcome is Outcome.AMBIGUOUS
    assert (write.status, write.message) == (
        200,
        "ByteNite POST /v1/customer/jobs: truncated or invalid JSON body",
    )


@pytest.mark.parametrize("idempotent", [True, False])
@pytest.mark.parametrize(("header", "wait"), [("7", 7.0), ("0", None), ("soon", None)])
def test_429_is_retried_even_for_a_write_with_the_servers_wait(idempotent, header, wait):
    verdict = classify(response(429, b"{}", **{"Retry-After": header}), idempotent, **WHERE)
    assert verdict.outcome is Outcome.RETRY
    assert (verdict.status, verdict.retry_after) == (429, wait)


@pytest.mark.parametrize(
    ("idempotent", "outcome"), [(True, Outcome.RETRY), (False, Outcome.AMBIGUOUS)]
)
@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_retried_on_a_read_and_ambiguous_on_a_write(idempotent, outcome, status):
    verdict = classify(response(status, b"oops"), idempotent, **WHERE)
    assert verdict.outcome is outcome
    assert verdict.status == status
    assert verdict.message == f"ByteNite POST /v1/customer/jobs: server error {status}"


@pytest.mark.parametrize("idempotent", [True, False])
@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_is_an_auth_failure_with_the_servers_message(idempotent, status):
    verdict = classify(response(status, b'{"message": "Invalid API key"}'), idempotent, **WHERE)
    assert verdict.outcome is Outcome.AUTH
    assert (verdict.status, verdict.message) == (status, "Invalid API key")


@pytest.mark.parametrize("idempotent", [True, False])
def test_another_4xx_is_refused_for_good(idempotent):
    body = b'{"errors": [{"message": "jobId already used"}, {"message": "name too long"}]}'
    verdict = classify(response(409, body), idempotent, **WHERE)
    assert verdict.outcome is Outcome.REFUSED
    assert (verdict.status, verdict.message) == (409, "jobId already used; name too long")
    plain = classify(response(404, b"no such asset\n"), idempotent, **WHERE)
    assert (plain.outcome, plain.message) == (Outcome.REFUSED, "no such asset")


@pytest.mark.parametrize("idempotent", [True, False])
def test_a_request_that_never_left_is_retried_even_for_a_write(idempotent):
    timeout = classify(requests.exceptions.ConnectTimeout("connect timed out"), idempotent, **WHERE)
    assert timeout.outcome is Outcome.RETRY
    assert (timeout.unreachable, timeout.no_answer) == ("connect timeout", False)
    refused = classify(
        requests.ConnectionError("[Errno 111] Connection refused"), idempotent, **WHERE
    )
    assert refused.outcome is Outcome.RETRY
    assert (refused.unreachable, refused.no_answer) == ("connection refused", False)
    assert refused.message == "ConnectionError talking to ByteNite POST /v1/customer/jobs"


def test_no_answer_is_retried_on_a_read_and_ambiguous_on_a_write():
    read = classify(requests.ReadTimeout("read timed out"), True, **WHERE)
    assert read.outcome is Outcome.RETRY
    assert (read.unreachable, read.no_answer) == (None, True)
    assert read.message == "ReadTimeout talking to ByteNite POST /v1/customer/jobs"
    write = classify(requests.ReadTimeout("read timed out"), False, **WHERE)
    assert (write.outcome, write.no_answer) == (Outcome.AMBIGUOUS, True)
    dropped = requests.ConnectionError("Remote end closed connection without response")
    read = classify(dropped, True, **WHERE)
    assert (read.outcome, read.unreachable, read.no_answer) == (
        Outcome.RETRY,
        "ConnectionError",
        True,
    )
    assert classify(dropped, False, **WHERE).outcome is Outcome.AMBIGUOUS


def test_an_unknown_host_is_named():
    exc = requests.ConnectionError("Failed to resolve: [Errno -2] Name or service not known")
    verdict = classify(exc, True, **WHERE)
    assert (verdict.outcome, verdict.unreachable) == (
        Outcome.RETRY,
        "the host name does not resolve",
    )


def test_a_connection_dropped_mid_answer_is_retried_on_a_read_and_ambiguous_on_a_write():
    exc = requests.exceptions.ChunkedEncodingError("IncompleteRead(10 bytes read)")
    read, write = classify(exc, True, **WHERE), classify(exc, False, **WHERE)
    assert (read.outcome, write.outcome) == (Outcome.RETRY, Outcome.AMBIGUOUS)
    assert write.message == "connection dropped mid-response from ByteNite POST /v1/customer/jobs"
    assert not read.no_answer and not write.no_answer


def test_anything_else_is_not_the_policys_to_judge():
    with pytest.raises(TypeError):
        classify(ValueError("a bug"), True, **WHERE)
