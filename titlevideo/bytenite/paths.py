"""Every path of the ByteNite API the pipeline uses, in one place.

The documented API (auth, ``/v1/customer/jobs``) follows ByteNite's docs. Assets, placements and
analytics are this project's **extension contract** (never part of ByteNite's public API); their
paths live only in :data:`PATHS`, so a deployment whose service exposes them elsewhere remaps them
through the connection extra ``{"paths": {"assets": "/v2/..."}}`` (same names, same placeholders),
checked by :func:`checked_paths`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from titlevideo.config import ConfigError

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


def _fields(path: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(path) if f}


def checked_paths(conn_id: str, overrides: Mapping[str, str]) -> dict[str, str]:
    """Overrides must name known paths and keep their placeholders (``{asset_id}``…)."""
    for name, path in overrides.items():
        if name not in PATHS:
            raise ConfigError(
                f"connection {conn_id!r}: extra paths: unknown name {name!r} "
                f"(known: {', '.join(sorted(PATHS))})"
            )
        if _fields(path) != _fields(PATHS[name]):
            raise ConfigError(
                f"connection {conn_id!r}: extra paths: {name!r} = {path!r} must use the "
                f"placeholders of {PATHS[name]!r}"
            )
    return dict(overrides)
