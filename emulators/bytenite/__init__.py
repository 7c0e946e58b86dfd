"""ByteNite emulator: the documented jobs API plus this project's video-asset extension.

Run it with ``python -m emulators.bytenite --port 8082`` or in-process::

    state, app = create_app(seed=42, works=2000)
    with ServerThread(app) as server: ...

The OpenAPI document is ``openapi.yaml`` beside this file (also served at
``GET /v1/customer/docs/swagger.json``). In short:

* **Documented API** (``/v1/auth/*``, ``/v1/customer/jobs*``, ``/info``, ``/logs``,
  ``/datasource/test``) follows ByteNite's public documentation and client code: tokens from an API key
  (raw or ``Bearer``), int64 as strings, null for unset, rpcStatus errors with grpc-gateway's
  HTTP mapping, GenericResponse for actions, jobs whose state moves with wall time
  (``--job-step-seconds`` per state: NEW -> READY -> PARTITIONING -> RUNNING -> ASSEMBLING ->
  COMPLETE; a name containing ``FAIL`` or an exceeded ``config.jobTimeout`` gives FAILED).
  An empty repeated field is an unset one, as in protobuf: ``[]`` in any list filter (logs'
  ``taskIds``/``levels``/``services``, ``jobs/filter``, ``analytics/daily``) filters nothing.
* **Extension** (NOT ByteNite's API; responses carry ``X-Emulator-Extension: true``): video
  assets (one per COMPLETE ``video-transcoding@v0.2`` job, id ``uuid5(UUID(jobId), "asset")``,
  READY at 02:00 UTC the day after the job completed), placements per asset x channel with
  region white/blacklists, and daily analytics computed from (seed, asset, channel, country,
  date) and the placement state on that date.
* **World**: every ``catalog.LegacyVideo`` is a COMPLETE job + asset (+ one placement per legacy
  channel while published). Writes are dated with the emulated clock and take effect from that
  date; history before it never changes. ``GET /_emulator/writes`` lists every write call.

Fixtures (``POST /_emulator/fixtures``) inject records that appear on the wire exactly as given,
malformed ones included (negative views, rates above 1, duplicates, unknown enum values, bad
dates, missing fields, wrong types)::

    {
      "assets":     [ {...a VideoAsset, any fields...} ],
      "placements": [ {...a Placement, any fields...} ],
      "metrics":    [ {...a DailyMetric, any fields..., "_serveOn": "YYYY-MM-DD"?} ],
      "replace":    false
    }

* Each record must be a JSON object; its fields are served untouched.
* ``assets`` / ``placements`` are appended after the real records of every list they match
  (filters compare the fixture's own field values: ``publishingStatus``, ``deliverableType``,
  ``assetId``, ``channel``, ``state``; an ``updatedAt`` that does not parse never filters it out)
  and are returned by ``GET .../{id}`` when their ``id`` matches (a fixture shadows a real record
  of the same id). ``GET /jobs/{jobId}/assets`` includes fixture assets with that ``jobId``.
  Fixtures are read-only: actions on them answer 400 FAILED_PRECONDITION.
* ``metrics`` rows are served on their ``date`` (or on ``_serveOn``, which is stripped, for rows
  whose date is missing or malformed) after that day's generated rows, when the request's
  ``assetIds``/``channels``/``countries`` filters (if any) contain their values. They are not
  part of ``/analytics/summary``.
* ``replace: true`` drops earlier fixtures first; ``POST /_emulator/reset`` drops all of them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from emulators.common import ServerThread

from .state import (
    DEFAULT_API_KEY,
    DEFAULT_JOB_STEP_SECONDS,
    DEFAULT_PORT,
    DEFAULT_RATE_LIMIT,
    DEFAULT_TOKEN_TTL,
    ByteniteState,
)
from .wire import error_body_for_status

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_JOB_STEP_SECONDS",
    "DEFAULT_PORT",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_TOKEN_TTL",
    "ByteniteState",
    "ServerThread",
    "create_app",
]


def create_app(
    *,
    seed: int = 42,
    works: int = 2000,
    today: date | None = None,
    faults: str = "none",
    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,),
    **options: Any,
) -> tuple[ByteniteState, Any]:
    """Build the state and the ASGI app (fault injection outermost).

    ``options``: ``token_ttl`` (s, 3600), ``rate_limit`` (requests/s per token, 50; 0 = off),
    ``rate_burst`` (default 2 x rate_limit), ``job_step_seconds`` (0.2), ``go_live``
    (catalog.DEFAULT_GO_LIVE).
    """
    from .app import build_app

    state = ByteniteState(
        seed=seed, works=works, today=today, faults=faults, api_keys=api_keys, **options
    )
    app = state.wrap(build_app(state), error_body_for_status)
    return state, app
