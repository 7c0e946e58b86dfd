"""Preflight of ByteNite: the token exchange, then every path the pipeline uses (after the
connection's remapping): reads answer 200 with the fields the pipeline reads, write paths are
probed with a GET; the rate-limit headers of an ordinary answer are reported."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from titlevideo.config import ConfigError
from titlevideo.connections import Endpoint
from titlevideo.contract import F
from titlevideo.preflight.report import BYTENITE, Finding, Mismatch
from titlevideo.transport import ApiError, call

#: what each read path answers: (envelope key, the record contract's entity)
_READS: dict[str, tuple[str, str]] = {
    "jobs": ("data", "job"),
    "job": ("job", "job"),
    "job_results": ("results", "result"),
    "assets": ("data", "asset"),
    "asset": ("asset", "asset"),
    "placements": ("data", "placement"),
    "analytics_daily": ("data", "metric"),
}
_RESULT_CONTRACT = (F("name", "str"), F("link", "str"))
_RATE_LIMIT_HEADERS = ("ratelimit", "rate-limit", "retry-after")


def _contracts() -> dict[str, tuple[F, ...]]:
    from titlevideo.bytenite import vocab

    return {
        "job": vocab.JOB_CONTRACT,
        "asset": vocab.ASSET_CONTRACT,
        "placement": vocab.PLACEMENT_CONTRACT,
        "metric": vocab.METRIC_CONTRACT,
        "result": _RESULT_CONTRACT,
    }


def _missing_fields(record: Any, contract: tuple[F, ...]) -> list[str]:
    if not isinstance(record, dict):
        return ["(the record is not an object)"]
    return [f.name for f in contract if f.required and f.name not in record]


def check_bytenite(endpoint: Endpoint, session: requests.Session | None = None) -> list[Finding]:
    from titlevideo.bytenite.client import SYSTEM, ByteNiteClient

    try:
        client = ByteNiteClient(endpoint, session)
    except ConfigError as exc:
        return [Finding(BYTENITE, "paths", False, str(exc))]
    session = client.session
    paths = client.paths
    token_path = paths["access_token"]
    try:
        body = call(
            session,
            "POST",
            endpoint.url(token_path),
            system=SYSTEM,
            endpoint=f"POST {token_path}",
            policy=endpoint.policy,
            json_body={"apiKey": endpoint.api_key},
            connection=endpoint.conn_id,
        )
    except ApiError as exc:
        return [Finding(BYTENITE, f"token exchange (POST {token_path})", False, str(exc))]
    missing = [k for k in ("token", "expiresIn") if not isinstance(body, dict) or k not in body]
    if missing:
        return [
            Finding(
                BYTENITE,
                f"token exchange (POST {token_path})",
                False,
                f"no {', '.join(missing)} in the answer",
            )
        ]
    token = body["token"]
    findings = [
        Finding(
            BYTENITE,
            f"token exchange (POST {token_path})",
            True,
            f"token valid {body['expiresIn']}s",
        )
    ]
    headers = {"Authorization": token}
    contracts = _contracts()
    ids: dict[str, str] = {}

    def request(method: str, key: str, **kw: Any) -> Any:
        path = paths[key].format(
            **{p: ids.get(p, str(uuid.uuid4())) for p in ("job_id", "asset_id", "placement_id")}
        )
        return call(
            session,
            method,
            endpoint.url(path),
            system=SYSTEM,
            endpoint=f"{method} {paths[key]}",
            policy=endpoint.policy,
            headers=lambda: headers,
            connection=endpoint.conn_id,
            **kw,
        )

    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    read_calls: dict[str, tuple[str, dict[str, Any]]] = {
        "jobs": ("GET", {"params": {"pagination.limit": 50, "orderBy": "createdAt"}}),
        "job": ("GET", {}),
        "job_results": ("GET", {}),
        "assets": ("GET", {"params": {"pagination.limit": 1}}),
        "asset": ("GET", {}),
        "placements": ("GET", {"params": {"pagination.limit": 1}}),
        "analytics_daily": (
            "POST",
            {
                "json_body": {
                    "dateRange": {"from": yesterday, "to": yesterday},
                    "pagination": {"limit": 1},
                }
            },
        ),
    }
    for key in _path_order(paths):
        if key == "access_token":
            continue
        label = f"{key} ({paths[key]})"
        if key in read_calls:
            method, kw = read_calls[key]
            envelope, entity = _READS[key]
            try:
                answer = request(method, key, **kw)
            except ApiError as exc:
                if (
                    exc.status == 404
                    and _is_resource_404(exc)
                    and key in ("job", "job_results", "asset")
                ):
                    findings.append(
                        Finding(BYTENITE, f"{method} {label}", True, "served (no record to read)")
                    )
                else:
                    findings.append(Finding(BYTENITE, f"{method} {label}", False, _why(exc)))
                continue
            records = answer.get(envelope) if isinstance(answer, dict) else None
            if envelope == "data" and not isinstance(records, list):
                findings.append(
                    Finding(
                        BYTENITE, f"{method} {label}", False, f"no {envelope!r} list in the answer"
                    )
                )
                continue
            sample = records[0] if isinstance(records, list) and records else records
            if key == "jobs" and isinstance(records, list):
                done = next((j for j in records if j.get("state") == "JOB_STATE_COMPLETE"), None)
                if records:
                    ids["job_id"] = str((done or records[0]).get("id"))
            if key == "assets" and isinstance(records, list) and records:
                ids["asset_id"] = str(records[0].get("id"))
            if key == "placements" and isinstance(records, list) and records:
                ids["placement_id"] = str(records[0].get("id"))
            if sample in (None, []):
                findings.append(
                    Finding(BYTENITE, f"{method} {label}", True, "200, no record to check")
                )
                continue
            absent = _missing_fields(sample, contracts[entity])
            findings.append(
                Finding(
                    BYTENITE,
                    f"{method} {label}",
                    not absent,
                    "200 with the fields the pipeline reads" if not absent else "200",
                    [Mismatch(key, f"{envelope}.{f}", "present", "absent") for f in absent],
                )
            )
            continue
        # a write path: probed with a GET, which writes nothing
        try:
            request("GET", key)
        except ApiError as exc:
            if exc.status in (405, 501) or (exc.status == 404 and _is_resource_404(exc)):
                findings.append(
                    Finding(BYTENITE, f"{label}", True, f"served (a GET answers {exc.status})")
                )
            else:
                findings.append(Finding(BYTENITE, f"{label}", False, _why(exc)))
            continue
        findings.append(Finding(BYTENITE, f"{label}", True, "served (a GET answers 200)"))
    findings.append(_rate_limit_headers(session, endpoint, paths["jobs"], headers))
    return findings


def _path_order(paths: Mapping[str, str]) -> list[str]:
    """Lists before single records, so a record's id is known when it is read."""
    first = ["access_token", "jobs", "assets", "placements"]
    return first + [k for k in paths if k not in first]


def _is_resource_404(exc: ApiError) -> bool:
    """A 404 from a handler (a record not found) rather than from the router (no such path):
    grpc-gateway's router answers ``{"code": 5, "message": "Not Found"}``."""
    return exc.server_message.strip().lower() not in ("not found", "404 page not found", "")


def _why(exc: ApiError) -> str:
    if exc.status == 404 and not _is_resource_404(exc):
        return "HTTP 404: the path is not served"
    return str(exc)


def _rate_limit_headers(
    session: requests.Session, endpoint: Endpoint, path: str, headers: dict[str, str]
) -> Finding:
    try:
        r = session.get(
            endpoint.url(path),
            params={"pagination.limit": 1},
            headers=headers,
            timeout=endpoint.policy.timeout,
        )
    except requests.RequestException as exc:
        return Finding(BYTENITE, "rate-limit headers", True, f"not read ({type(exc).__name__})")
    seen = {k: v for k, v in r.headers.items() if any(h in k.lower() for h in _RATE_LIMIT_HEADERS)}
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(seen.items())) or "none sent"
    return Finding(BYTENITE, "rate-limit headers", True, detail)
