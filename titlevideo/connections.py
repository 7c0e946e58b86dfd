"""API endpoints from Airflow connections (``consonance_default``, ``bytenite_default``).

A connection is an HTTP connection of ``apache-airflow-providers-http``: ``host`` is the base URL
with its scheme, ``password`` the API key, and ``extra`` may tune the retry policy
(``{"timeout": 60, "max_attempts": 6}``). In tasks the connection is resolved through the
provider's ``HttpHook`` (so secrets backends and ``AIRFLOW_CONN_*`` variables work); tests and
benchmarks build an :class:`Endpoint` directly and never import Airflow. The extra may also set
``writes_per_second``, the write rate the reverse-ETL may use against this deployment, and
``paths``: API paths that this deployment serves elsewhere (``{"assets": "/v2/media/assets"}``;
names and placeholders as in ``titlevideo.bytenite.paths.PATHS``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from titlevideo.config import ConfigError
from titlevideo.transport import RetryPolicy

CONSONANCE_CONN_ID = "consonance_default"
BYTENITE_CONN_ID = "bytenite_default"

_EXAMPLE = {
    CONSONANCE_CONN_ID: '{"conn_type": "http", "host": "https://web.consonance.app", "password": "<api key>"}',
    BYTENITE_CONN_ID: '{"conn_type": "http", "host": "https://api.bytenite.com", "password": "<api key>"}',
}


@dataclass(frozen=True)
class Endpoint:
    """Where an API lives and how to authenticate. The key never appears in repr or logs."""

    conn_id: str
    base_url: str
    api_key: str = field(repr=False)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    #: write calls per second this deployment allows (connection extra ``writes_per_second``);
    #: None = the business rules' default
    writes_per_second: float | None = None
    #: path overrides by name (connection extra ``paths``), checked by the client that uses them
    paths: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"connection {self.conn_id!r}: host {self.base_url!r} must be a base URL with its scheme, "
                f"e.g. https://host[:port]"
            )
        if not self.api_key:
            raise ConfigError(f"connection {self.conn_id!r}: the API key (password) is empty")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    def url(self, path: str) -> str:
        return self.base_url + path


def _how_to_set(conn_id: str) -> str:
    return f"set AIRFLOW_CONN_{conn_id.upper()}='{_EXAMPLE.get(conn_id, '{...}')}'"


def _endpoint(
    conn_id: str,
    conn_type: str | None,
    host: str | None,
    schema: str | None,
    port: int | None,
    password: str | None,
    extra: dict[str, Any] | None,
) -> Endpoint:
    if conn_type and conn_type not in ("http", "https"):
        raise ConfigError(
            f"connection {conn_id!r} has conn_type {conn_type!r}; expected 'http' ({_how_to_set(conn_id)})"
        )
    if not host:
        raise ConfigError(f"connection {conn_id!r} has no host ({_how_to_set(conn_id)})")
    if "://" not in host:
        host = f"{schema or 'https'}://{host}"
    if port and urlsplit(host).port is None:
        host = f"{host.rstrip('/')}:{port}"
    if not password:
        raise ConfigError(
            f"connection {conn_id!r} has no password (the API key) ({_how_to_set(conn_id)})"
        )
    try:
        policy = RetryPolicy.from_extra(extra)
        wps = (extra or {}).get("writes_per_second")
        writes_per_second = None if wps is None else float(wps)
        if writes_per_second is not None and writes_per_second <= 0:
            raise ValueError("writes_per_second must be positive")
        paths = (extra or {}).get("paths") or {}
        if not isinstance(paths, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.startswith("/")
            for k, v in paths.items()
        ):
            raise ValueError(
                'paths must map names to absolute paths, e.g. {"assets": "/v2/assets"}'
            )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"connection {conn_id!r}: bad extra: {exc}") from None
    return Endpoint(conn_id, host, password, policy, writes_per_second, dict(paths))


def from_airflow(conn_id: str) -> Endpoint:
    """Resolve a connection the way Airflow tasks do (HttpHook → secrets backends → env)."""
    from airflow.providers.http.hooks.http import HttpHook

    try:
        conn = HttpHook(http_conn_id=conn_id).get_connection(conn_id)
    except Exception as exc:  # AirflowNotFoundException and friends
        if (
            "isn't defined" in str(exc)
            or "not found" in str(exc).lower()
            or type(exc).__name__.endswith("NotFoundException")
        ):
            _check_env_json(conn_id)  # set but unreadable is not "not defined"
            raise ConfigError(
                f"Airflow connection {conn_id!r} is not defined: {_how_to_set(conn_id)}"
            ) from None
        raise
    return _endpoint(
        conn_id, conn.conn_type, conn.host, conn.schema, conn.port, conn.password, conn.extra_dejson
    )


def _check_env_json(conn_id: str) -> None:
    """A JSON ``AIRFLOW_CONN_<ID>`` that does not parse: say so (never echoing its value)."""
    raw = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}", "")
    if raw.lstrip().startswith("{"):
        try:
            json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"AIRFLOW_CONN_{conn_id.upper()} is not valid JSON ({exc.msg} at character "
                f"{exc.pos}): {_how_to_set(conn_id)}"
            ) from None


def from_env(conn_id: str) -> Endpoint:
    """Resolve ``AIRFLOW_CONN_<ID>`` (JSON form) without importing Airflow (CLI, benchmarks)."""
    raw = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if not raw:
        raise ConfigError(f"Airflow connection {conn_id!r} is not defined: {_how_to_set(conn_id)}")
    _check_env_json(conn_id)
    try:
        data = json.loads(raw)
    except ValueError:
        raise ConfigError(
            f"AIRFLOW_CONN_{conn_id.upper()} must be JSON ({_how_to_set(conn_id)})"
        ) from None
    extra = data.get("extra") or {}
    if isinstance(extra, str):
        extra = json.loads(extra or "{}")
    return _endpoint(
        conn_id,
        data.get("conn_type"),
        data.get("host"),
        data.get("schema"),
        data.get("port"),
        data.get("password"),
        extra,
    )


def connection_json(base_url: str, api_key: str, **extra: Any) -> str:
    """The ``AIRFLOW_CONN_*`` JSON for an endpoint (used by the default run and tests)."""
    body: dict[str, Any] = {"conn_type": "http", "host": base_url, "password": api_key}
    if extra:
        body["extra"] = extra
    return json.dumps(body)
