"""ByteNite's wire habits: enums, error bodies, int64-as-string, input parsing, pagination.

The documented API is a gRPC-gateway: errors are ``rpcStatus`` bodies whose ``code`` is a gRPC
status code, sent with the HTTP status grpc-gateway maps it to; action endpoints answer with a
``GenericResponse``. int64 fields travel as JSON strings (numbers are accepted on input), unset
fields are ``null``, timestamps are RFC 3339 UTC with microseconds.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

from emulators.catalog import DELIVERABLES
from emulators.common import rfc3339

# --------------------------------------------------------------------------------------------
# Enums
# --------------------------------------------------------------------------------------------

#: Job states, in one table so an inferred name is easy to change. "documented" = seen in a
#: source of the API reference; "inferred" = our guess (the full enum lived in the swagger.json
#: the dead service no longer serves).
JOB_STATES: dict[str, str] = {
    "JOB_STATE_NEW": "documented",
    "JOB_STATE_READY": "inferred",
    "JOB_STATE_PARTITIONING": "documented",
    "JOB_STATE_RUNNING": "inferred",
    "JOB_STATE_ASSEMBLING": "inferred",
    "JOB_STATE_COMPLETE": "documented",
    "JOB_STATE_FAILED": "inferred",
    "JOB_STATE_ABORTED": "inferred",
}
NEW, READY, PARTITIONING, RUNNING, ASSEMBLING, COMPLETE, FAILED, ABORTED = JOB_STATES
#: What ``run`` walks through, one step per ``--job-step-seconds``.
RUN_SEQUENCE = (READY, PARTITIONING, RUNNING, ASSEMBLING, COMPLETE)
TERMINAL_STATES = frozenset({COMPLETE, FAILED, ABORTED})

DELIVERABLE_TYPES = tuple(f"DELIVERABLE_TYPE_{d}" for d in DELIVERABLES)
ASSET_FORMATS = tuple(f"ASSET_FORMAT_{f}" for f in ("MP4", "HLS", "DASH", "WEBM"))
PUBLISHING_STATUSES = tuple(
    f"PUBLISHING_STATUS_{s}" for s in ("DRAFT", "READY", "PUBLISHED", "UNPUBLISHED", "FAILED")
)
P_DRAFT, P_READY, P_PUBLISHED, P_UNPUBLISHED, P_FAILED = PUBLISHING_STATUSES
CHANNELS = tuple(
    f"PLACEMENT_CHANNEL_{c}"
    for c in (
        "WEBSITE",
        "RETAILER",
        "CAMPAIGN_LANDING",
        "YOUTUBE",
        "TIKTOK",
        "INSTAGRAM",
        "FACEBOOK",
        "X",
    )
)
PLACEMENT_STATES = tuple(
    f"PLACEMENT_STATE_{s}" for s in ("PENDING", "ENABLED", "DISABLED", "ERROR")
)
S_PENDING, S_ENABLED, S_DISABLED, S_ERROR = PLACEMENT_STATES
DIMENSIONS = tuple(f"ANALYTICS_DIMENSION_{d}" for d in ("CHANNEL", "COUNTRY", "DATE"))
LOG_LEVELS = ("UNKNOWN", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "PANIC")
DATA_SOURCE_DESCRIPTORS = ("url", "file", "bucket", "s3", "aws", "gcp", "storj", "bypass")
INPUT_ONLY = frozenset({"url", "file"})
OUTPUT_ONLY = frozenset({"bucket"})
PRIORITY_UNDEFINED = "EXECUTION_PRIORITY_UNDEFINED"

# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

#: gRPC code -> HTTP status, as grpc-gateway maps them (12 UNIMPLEMENTED is sent as 405 for a
#: known path with the wrong method).
HTTP_FOR_CODE = {3: 400, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 12: 405, 13: 500, 14: 503, 16: 401}
CODE_NAMES = {
    3: "INVALID_ARGUMENT",
    5: "NOT_FOUND",
    6: "ALREADY_EXISTS",
    7: "PERMISSION_DENIED",
    8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION",
    12: "UNIMPLEMENTED",
    13: "INTERNAL",
    14: "UNAVAILABLE",
    16: "UNAUTHENTICATED",
}
INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED = 3, 5, 6, 7
RESOURCE_EXHAUSTED, FAILED_PRECONDITION, UNAUTHENTICATED = 8, 9, 16
HTTP_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """An error answer. ``code`` is the gRPC code; the HTTP status follows from it."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        http: int | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.http = http or HTTP_FOR_CODE.get(code, 500)
        self.headers = headers or {}


def invalid(message: str) -> ApiError:
    return ApiError(INVALID_ARGUMENT, message)


def not_found(what: str, ident: Any) -> ApiError:
    return ApiError(NOT_FOUND, f"{what} {ident} not found")


def precondition(message: str) -> ApiError:
    return ApiError(FAILED_PRECONDITION, message)


def rpc_status(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "details": []}


def generic_ok(request_id: str, message: str = "") -> dict[str, Any]:
    return {"ok": True, "requestId": request_id, "message": message, "error": None}


def generic_error(request_id: str, err: ApiError) -> dict[str, Any]:
    # The documented example puts the HTTP status in error.code; it is an int64, so a string.
    return {
        "ok": False,
        "requestId": request_id,
        "message": err.message,
        "error": {
            "code": str(err.http),
            "message": HTTP_REASONS.get(err.http, "Error"),
            "description": err.message,
        },
    }


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def error_body_for_status(status: int) -> tuple[bytes, str]:
    """Body of a fault the injector makes up (an rpcStatus, like every ByteNite error)."""
    code = {429: RESOURCE_EXHAUSTED, 500: 13, 502: 14, 503: 14}.get(status, 13)
    message = {429: "too many requests", 503: "service unavailable", 502: "bad gateway"}.get(
        status, "internal error"
    )
    return dumps(rpc_status(code, message)), "application/json"


# --------------------------------------------------------------------------------------------
# Input parsing
# --------------------------------------------------------------------------------------------

_INT_RE = re.compile(r"^-?[0-9]{1,18}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
#: Inputs are held to 18 digits (the schema says so), comfortably inside int64.
INT64_MAX = 999_999_999_999_999_999


def parse_int64(
    value: Any, field: str, *, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    """An int64 given as a JSON number or a decimal string; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise invalid(f"{field}: expected an integer, got a boolean")
    if isinstance(value, int):
        n = value
    elif isinstance(value, str) and _INT_RE.match(value):
        n = int(value)
    else:
        raise invalid(
            f"{field}: expected an integer (number or string of at most 18 digits), got {value!r}"
        )
    if abs(n) > INT64_MAX:
        raise invalid(f"{field}: at most 18 digits")
    if minimum is not None and n < minimum:
        raise invalid(f"{field}: must be >= {minimum}")
    if maximum is not None and n > maximum:
        raise invalid(f"{field}: must be <= {maximum}")
    return n


def parse_bool(value: Any, field: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    raise invalid(f"{field}: expected a boolean")


def parse_str(
    value: Any, field: str, *, allow_none: bool = True, max_len: int = 10_000
) -> str | None:
    if value is None:
        if allow_none:
            return None
        raise invalid(f"{field}: required")
    if not isinstance(value, str):
        raise invalid(f"{field}: expected a string")
    if len(value) > max_len:
        raise invalid(f"{field}: longer than {max_len} characters")
    return value


def parse_date(value: Any, field: str) -> date:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise invalid(f"{field}: expected a date YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid(f"{field}: not a calendar date: {value!r}") from None


def parse_timestamp(value: Any, field: str, *, allow_date: bool = False) -> datetime | None:
    """RFC 3339 (``...Z`` or an offset); with ``allow_date`` a bare date means its midnight UTC."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"{field}: expected an RFC 3339 timestamp")
    text = value
    if allow_date and _DATE_RE.match(text):
        return datetime.combine(parse_date(text, field), datetime.min.time(), UTC)
    try:
        ts = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise invalid(f"{field}: not an RFC 3339 timestamp: {value!r}") from None
    if ts.tzinfo is None or "T" not in text.upper():
        raise invalid(f"{field}: an RFC 3339 timestamp needs a time and an offset: {value!r}")
    return ts.astimezone(UTC)


def parse_uuid(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise invalid(f"{field}: expected a UUID string")
    try:
        u = uuid.UUID(value)
    except ValueError:
        raise invalid(f"{field}: not a UUID: {value!r}") from None
    if str(u) != value.lower() or len(value) != 36:
        raise invalid(f"{field}: write UUIDs in the canonical 8-4-4-4-12 form")
    return str(u)


def is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower() and len(value) == 36
    except (ValueError, AttributeError, TypeError):
        return False


def parse_enum(
    value: Any, field: str, allowed: tuple[str, ...], *, allow_none: bool = False
) -> str | None:
    if value is None and allow_none:
        return None
    if value not in allowed:
        raise invalid(f"{field}: expected one of {', '.join(allowed)}, got {value!r}")
    return value


def parse_object(value: Any, field: str, *, allow_none: bool = True) -> dict[str, Any] | None:
    if value is None:
        if allow_none:
            return None
        raise invalid(f"{field}: required")
    if not isinstance(value, dict):
        raise invalid(f"{field}: expected an object")
    return value


def parse_regions(value: Any, field: str = "regions") -> dict[str, list[str]]:
    """SelectionList ``{whitelist:[alpha-2], blacklist:[alpha-2]}``; both default to []."""
    obj = parse_object(value, field, allow_none=False)
    assert obj is not None
    out: dict[str, list[str]] = {}
    for key in ("whitelist", "blacklist"):
        items = obj.get(key)
        if items is None:
            items = []
        if not isinstance(items, list):
            raise invalid(f"{field}.{key}: expected an array of ISO 3166-1 alpha-2 codes")
        if len(items) > 300:
            raise invalid(f"{field}.{key}: at most 300 countries")
        seen: list[str] = []
        for c in items:
            if not isinstance(c, str) or not COUNTRY_RE.match(c) or c == "ZZ":
                raise invalid(
                    f"{field}.{key}: {c!r} is not an ISO 3166-1 alpha-2 code (upper case)"
                )
            if c not in seen:
                seen.append(c)
        out[key] = seen
    return out


def parse_labels(value: Any, field: str = "labels") -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(f"{field}: expected an object of string values")
    if len(value) > 64:
        raise invalid(f"{field}: at most 64 labels")
    for k, v in value.items():
        if not isinstance(v, str):
            raise invalid(f"{field}.{k}: label values are strings")
        if len(k) > 128 or len(v) > 1024 or not k:
            raise invalid(f"{field}.{k}: keys are 1-128 characters, values at most 1024")
    dt = value.get("deliverableType")
    if dt is not None and dt not in DELIVERABLE_TYPES:
        raise invalid(
            f"{field}.deliverableType: expected one of {', '.join(DELIVERABLE_TYPES)}, got {dt!r}"
        )
    return dict(value)


_META_STRINGS = ("title", "subtitle", "imprint", "season", "territory")
_HTTP_URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$")


def parse_metadata(value: Any, field: str = "metadata") -> dict[str, Any] | None:
    """AssetMetadata: every field nullable; types checked; unknown keys dropped (gateway habit)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(f"{field}: expected an object or null")
    out: dict[str, Any] = {}
    for key in _META_STRINGS:
        out[key] = parse_str(value.get(key), f"{field}.{key}", max_len=2000)
    cw = value.get("consonanceWorkId")
    if cw is not None:
        cw = str(parse_int64(cw, f"{field}.consonanceWorkId", minimum=0))
    out["consonanceWorkId"] = cw
    pd = value.get("publicationDate")
    out["publicationDate"] = (
        None if pd is None else parse_date(pd, f"{field}.publicationDate").isoformat()
    )
    contributors = value.get("contributors")
    if contributors is not None:
        if not isinstance(contributors, list) or len(contributors) > 200:
            raise invalid(f"{field}.contributors: expected an array (at most 200)")
        parsed = []
        for n, c in enumerate(contributors):
            if not isinstance(c, dict):
                raise invalid(f"{field}.contributors[{n}]: expected an object {{name, role}}")
            parsed.append(
                {
                    "name": parse_str(
                        c.get("name"), f"{field}.contributors[{n}].name", max_len=500
                    ),
                    "role": parse_str(
                        c.get("role"), f"{field}.contributors[{n}].role", max_len=100
                    ),
                }
            )
        contributors = parsed
    out["contributors"] = contributors
    genres = value.get("genres")
    if genres is not None:
        if not isinstance(genres, list) or len(genres) > 100:
            raise invalid(f"{field}.genres: expected an array (at most 100)")
        parsed = []
        for n, g in enumerate(genres):
            if not isinstance(g, dict):
                raise invalid(
                    f"{field}.genres[{n}]: expected an object {{scheme, code, description}}"
                )
            parsed.append(
                {
                    k: parse_str(g.get(k), f"{field}.genres[{n}].{k}", max_len=500)
                    for k in ("scheme", "code", "description")
                }
            )
        genres = parsed
    out["genres"] = genres
    isbns = value.get("isbn13s")
    if isbns is not None:
        if not isinstance(isbns, list) or len(isbns) > 100:
            raise invalid(f"{field}.isbn13s: expected an array of strings (at most 100)")
        for n, s in enumerate(isbns):
            parse_str(s, f"{field}.isbn13s[{n}]", allow_none=False, max_len=32)
        isbns = list(isbns)
    out["isbn13s"] = isbns
    cover = parse_str(value.get("coverImageUrl"), f"{field}.coverImageUrl", max_len=2000)
    if cover is not None and not _HTTP_URL_RE.match(cover):
        raise invalid(f"{field}.coverImageUrl: expected an http(s) URL, got {cover!r}")
    out["coverImageUrl"] = cover
    return {k: out[k] for k in METADATA_KEYS}


METADATA_KEYS = (
    "title",
    "subtitle",
    "contributors",
    "imprint",
    "genres",
    "isbn13s",
    "publicationDate",
    "season",
    "territory",
    "consonanceWorkId",
    "coverImageUrl",
)


# --------------------------------------------------------------------------------------------
# Pagination
# --------------------------------------------------------------------------------------------

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def parse_pagination(limit: Any, offset: Any) -> tuple[int, int]:
    """limit 0/absent -> 100; 1..1000; offset >= 0. Anything else is INVALID_ARGUMENT."""
    lim = parse_int64(limit, "pagination.limit", minimum=0, maximum=MAX_LIMIT)
    off = parse_int64(offset, "pagination.offset", minimum=0)
    return (lim or DEFAULT_LIMIT), (off or 0)


def query_pagination(query: Any) -> tuple[int, int]:
    """``pagination.limit``/``pagination.offset`` (documented) or bare ``limit``/``offset``
    (Pipedream's spelling); every one given is validated, the documented one wins."""
    bare = parse_pagination(query.get("limit"), query.get("offset"))
    dotted = parse_pagination(query.get("pagination.limit"), query.get("pagination.offset"))
    limit = dotted[0] if query.get("pagination.limit") is not None else bare[0]
    offset = dotted[1] if query.get("pagination.offset") is not None else bare[1]
    return limit, offset


def page(items: list[Any], limit: int, offset: int) -> tuple[dict[str, Any], list[Any]]:
    total = len(items)
    chunk = items[offset : offset + limit]
    return pagination_block(total, offset, len(chunk)), chunk


def pagination_block(total: int, offset: int, count: int) -> dict[str, Any]:
    return {
        "total": total,
        "offset": offset,
        "hasPrevious": offset > 0,
        "hasNext": offset + count < total,
    }


def ts(value: datetime | None) -> str | None:
    return rfc3339(value)
