"""ByteNite client: token manager, offset paging, and every path of the API in one place.

The documented API (auth, ``/v1/customer/jobs``) follows ByteNite's docs. Assets, placements and
analytics are this project's **extension contract** (never part of ByteNite's public API); their
paths live only in :data:`PATHS`, so a deployment whose service exposes them elsewhere remaps them
through the connection extra ``{"paths": {"assets": "/v2/..."}}`` (same names, same placeholders).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import requests

from titlevideo.config import ConfigError
from titlevideo.connections import Endpoint
from titlevideo.transport import ApiError, PageGuard, call

log = logging.getLogger(__name__)

SYSTEM = "ByteNite"

#: Every path the pipeline uses. ``{…}`` placeholders are filled per call.
PATHS: dict[str, str] = {
    # documented API
    "access_token": "/v1/auth/access_token",
    "jobs": "/v1/customer/jobs",
    "job": "/v1/customer/jobs/{job_id}",
    "job_run": "/v1/customer/jobs/{job_id}/run",
    "job_results": "/v1/customer/jobs/{job_id}/results",
    # extension contract
    "assets": "/v1/customer/assets",
    "asset": "/v1/customer/assets/{asset_id}",
    "asset_metadata": "/v1/customer/assets/{asset_id}/metadata",
    "asset_publish": "/v1/customer/assets/{asset_id}/publish",
    "asset_unpublish": "/v1/customer/assets/{asset_id}/unpublish",
    "asset_placements": "/v1/customer/assets/{asset_id}/placements",
    "placements": "/v1/customer/placements",
    "placement_enable": "/v1/customer/placements/{placement_id}/enable",
    "placement_disable": "/v1/customer/placements/{placement_id}/disable",
    "placement_regions": "/v1/customer/placements/{placement_id}/regions",
    "placement": "/v1/customer/placements/{placement_id}",
    "analytics_daily": "/v1/customer/analytics/daily",
}


def _checked_paths(endpoint: Endpoint, overrides: Mapping[str, str]) -> dict[str, str]:
    """Overrides must name known paths and keep their placeholders (``{asset_id}``…)."""
    import string

    def fields(path: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(path) if f}

    for name, path in overrides.items():
        if name not in PATHS:
            raise ConfigError(
                f"connection {endpoint.conn_id!r}: extra paths: unknown name {name!r} "
                f"(known: {', '.join(sorted(PATHS))})"
            )
        if fields(path) != fields(PATHS[name]):
            raise ConfigError(
                f"connection {endpoint.conn_id!r}: extra paths: {name!r} = {path!r} must use the "
                f"placeholders of {PATHS[name]!r}"
            )
    return dict(overrides)


#: Refresh the token when less than this many seconds of life remain.
REFRESH_MARGIN = 60.0


class ByteNiteClient:
    def __init__(
        self,
        endpoint: Endpoint,
        session: requests.Session | None = None,
        paths: Mapping[str, str] | None = None,
        page_size: int = 1000,
    ):
        self.endpoint = endpoint
        self.session = session or requests.Session()
        self.paths = {**PATHS, **_checked_paths(endpoint, {**endpoint.paths, **(paths or {})})}
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

    def get_job(self, job_id: str) -> dict[str, Any]:
        return self.request("GET", "job", job_id=job_id)

    # ---- writes --------------------------------------------------------------------------

    def create_job(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Not retried blindly (a repeat re-creates the NEW job): a lost answer raises
        :class:`~titlevideo.transport.AmbiguousWrite` for the caller to read back."""
        return self.request("POST", "jobs", json_body=payload, idempotent=False)

    def run_job(self, job_id: str) -> dict[str, Any]:
        return self.request("POST", "job_run", json_body={}, job_id=job_id)

    def set_asset_metadata(self, asset_id: str, metadata: dict[str, Any]) -> dict[str, Any]:
        return self.request(
            "PATCH", "asset_metadata", json_body={"metadata": metadata}, asset_id=asset_id
        )

    def publish_asset(self, asset_id: str) -> dict[str, Any]:
        return self.request("POST", "asset_publish", json_body={}, asset_id=asset_id)

    def unpublish_asset(self, asset_id: str) -> dict[str, Any]:
        return self.request("POST", "asset_unpublish", json_body={}, asset_id=asset_id)

    def create_placement(
        self, asset_id: str, channel: str, regions: dict[str, list[str]], enabled: bool
    ) -> dict[str, Any]:
        body = {"channel": channel, "regions": regions, "enabled": enabled}
        return self.request("POST", "asset_placements", json_body=body, asset_id=asset_id)

    def enable_placement(self, placement_id: str) -> dict[str, Any]:
        return self.request("POST", "placement_enable", json_body={}, placement_id=placement_id)

    def disable_placement(self, placement_id: str) -> dict[str, Any]:
        return self.request("POST", "placement_disable", json_body={}, placement_id=placement_id)

    def set_placement_regions(
        self, placement_id: str, regions: dict[str, list[str]]
    ) -> dict[str, Any]:
        return self.request(
            "PATCH", "placement_regions", json_body={"regions": regions}, placement_id=placement_id
        )
