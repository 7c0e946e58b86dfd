"""ByteNite client: token manager, offset paging, one method per call the pipeline makes.

Paths come from :mod:`titlevideo.bytenite.paths` (remappable through the connection extra), the
API's enums and record contracts from :mod:`titlevideo.bytenite.vocab`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, cast

import requests

from titlevideo.bytenite.paths import PATHS, checked_paths
from titlevideo.config import ConfigError
from titlevideo.connections import Endpoint
from titlevideo.transport import ApiError, PageGuard, RateLimiter, call

log = logging.getLogger(__name__)

SYSTEM = "ByteNite"

#: Refresh the token when less than this many seconds of life remain.
REFRESH_MARGIN = 60.0


class ByteNiteClient:
    def __init__(
        self,
        endpoint: Endpoint,
        session: requests.Session | None = None,
        paths: Mapping[str, str] | None = None,
        page_size: int = 1000,
        limiter: RateLimiter | None = None,
    ):
        self.endpoint = endpoint
        #: paces every request (a history catch-up stays under the API's rate limit)
        self.limiter = limiter
        self.session = session or requests.Session()
        self.paths = {
            **PATHS,
            **checked_paths(endpoint.conn_id, {**endpoint.paths, **(paths or {})}),
        }
        self.page_size = page_size
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        self.calls = 0

    # ---- auth ----------------------------------------------------------------------------

    def _fetch_token(self) -> None:
        try:
            body = call(
                self.session,
                "POST",
                self.endpoint.url(self.paths["access_token"]),
                system=SYSTEM,
                endpoint="POST " + self.paths["access_token"],
                policy=self.endpoint.policy,
                json_body={"apiKey": self.endpoint.api_key},
                connection=self.endpoint.conn_id,
            )
        except ApiError as exc:
            if exc.status not in (404, 405):
                raise
            raise ConfigError(  # the first call of a run: the host is not a ByteNite API
                f"{SYSTEM} {exc.endpoint} failed with HTTP {exc.status}: "
                f"{self.endpoint.base_url} has no ByteNite auth API ({exc.server_message}); "
                f"check the host of Airflow connection {self.endpoint.conn_id!r}"
            ) from None
        self.calls += 1
        try:
            token = body["token"]
            ttl = float(body.get("expiresIn") or 3600)
        except (KeyError, TypeError, ValueError):
            raise ApiError(
                SYSTEM, "POST " + self.paths["access_token"], 200, "no token in the response"
            ) from None
        self._token = token
        self._expires_at = time.monotonic() + ttl
        log.info("ByteNite token obtained (valid %.0fs)", ttl)

    def _auth_headers(self) -> dict[str, str]:
        with self._lock:
            if self._token is None or time.monotonic() > self._expires_at - REFRESH_MARGIN:
                self._fetch_token()
            # ByteNite's guide and its own clients send the raw token, without "Bearer ".
            return {"Authorization": self._token or ""}

    def _refresh_on_401(self) -> bool:
        with self._lock:
            self._token = None
        return True

    # ---- generic calls -------------------------------------------------------------------

    def _object(self, method: str, path_key: str, **kwargs: Any) -> dict[str, Any]:
        """:meth:`request` of an endpoint that answers a JSON object."""
        return cast("dict[str, Any]", self.request(method, path_key, **kwargs))

    def request(
        self,
        method: str,
        path_key: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool = True,
        **fmt: str,
    ) -> Any:
        path = self.paths[path_key].format(**fmt)
        write = method != "GET" and path_key not in ("analytics_daily", "access_token")
        if self.limiter is not None:
            self.limiter.acquire()
        self.calls += 1
        return call(
            self.session,
            method,
            self.endpoint.url(path),
            system=SYSTEM,
            endpoint=f"{method} {self.paths[path_key]}",
            policy=self.endpoint.policy,
            json_body=json_body,
            params=params,
            headers=self._auth_headers,
            on_unauthorized=self._refresh_on_401,
            settle=self.endpoint.policy.write_settle if write else 0.0,
            connection=self.endpoint.conn_id,
            idempotent=idempotent,
        )

    def pages(
        self,
        path_key: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        what: str | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield ``data`` lists page by page (offset paging; GET params or a POST filter body)."""
        guard = PageGuard(what or path_key)
        offset = 0
        while True:
            guard.see(offset)
            if body is None:
                query = {
                    **(params or {}),
                    "pagination.limit": self.page_size,
                    "pagination.offset": offset,
                }
                page = self.request("GET", path_key, params=query)
            else:
                page = self.request(
                    "POST",
                    path_key,
                    json_body={**body, "pagination": {"limit": self.page_size, "offset": offset}},
                )
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise ApiError(SYSTEM, self.paths[path_key], 200, "response has no 'data' list")
            if data:
                yield data
            pagination = page.get("pagination") or {}
            if not data or not pagination.get("hasNext"):
                return
            offset += len(data)

    # ---- reads ---------------------------------------------------------------------------

    def jobs(self) -> Iterator[list[dict[str, Any]]]:
        return self.pages("jobs", params={"orderBy": "createdAt"}, what="jobs")

    def assets(self) -> Iterator[list[dict[str, Any]]]:
        return self.pages("assets", params={"orderBy": "createdAt"}, what="assets")

    def placements(self) -> Iterator[list[dict[str, Any]]]:
        return self.pages("placements", params={"orderBy": "createdAt"}, what="placements")

    def daily_metrics(self, first: date, last: date) -> Iterator[list[dict[str, Any]]]:
        body = {"dateRange": {"from": first.isoformat(), "to": last.isoformat()}}
        return self.pages("analytics_daily", body=body, what=f"daily metrics {first}..{last}")

    def first_asset(self) -> dict[str, Any] | None:
        """The asset created first (one call), or None when there is none."""
        page = self.request(
            "GET",
            "assets",
            params={"orderBy": "createdAt", "pagination.limit": 1, "pagination.offset": 0},
        )
        data = page.get("data") if isinstance(page, dict) else None
        return data[0] if data and isinstance(data[0], dict) else None

    def get_job(self, job_id: str) -> dict[str, Any]:
        return self._object("GET", "job", job_id=job_id)

    # ---- writes --------------------------------------------------------------------------

    def create_job(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Not retried blindly (a repeat re-creates the NEW job): a lost answer raises
        :class:`~titlevideo.transport.AmbiguousWrite` for the caller to read back."""
        return self._object("POST", "jobs", json_body=payload, idempotent=False)

    def run_job(self, job_id: str) -> dict[str, Any]:
        return self._object("POST", "job_run", json_body={}, job_id=job_id)

    def set_asset_metadata(self, asset_id: str, metadata: dict[str, Any]) -> dict[str, Any]:
        return self._object(
            "PATCH", "asset_metadata", json_body={"metadata": metadata}, asset_id=asset_id
        )

    def publish_asset(self, asset_id: str) -> dict[str, Any]:
        return self._object("POST", "asset_publish", json_body={}, asset_id=asset_id)

    def unpublish_asset(self, asset_id: str) -> dict[str, Any]:
        return self._object("POST", "asset_unpublish", json_body={}, asset_id=asset_id)

    def create_placement(
        self, asset_id: str, channel: str, regions: dict[str, list[str]], enabled: bool
    ) -> dict[str, Any]:
        body = {"channel": channel, "regions": regions, "enabled": enabled}
        return self._object("POST", "asset_placements", json_body=body, asset_id=asset_id)

    def enable_placement(self, placement_id: str) -> dict[str, Any]:
        return self._object("POST", "placement_enable", json_body={}, placement_id=placement_id)

    def disable_placement(self, placement_id: str) -> dict[str, Any]:
        return self._object("POST", "placement_disable", json_body={}, placement_id=placement_id)

    def set_placement_regions(
        self, placement_id: str, regions: dict[str, list[str]]
    ) -> dict[str, Any]:
        return self._object(
            "PATCH", "placement_regions", json_body={"regions": regions}, placement_id=placement_id
        )
