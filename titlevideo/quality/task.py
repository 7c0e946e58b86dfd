"""The Airflow edge of the raw quality gate."""

from __future__ import annotations

from typing import Any

from titlevideo import dagkit


def validate_raw_task(context: dict[str, Any]) -> dict[str, Any]:
    """GX suites on the raw partitions of the run's day; raises when one fails."""
    from titlevideo.config import Lake
    from titlevideo.quality import validate_raw

    return validate_raw(Lake.from_env(), dagkit.resolve_day(context))
