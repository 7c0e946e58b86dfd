"""The suites: one per raw entity batch, and what dbt's tests do not express on the marts.

Raw suites validate the partitions of one logical date (the batch an extraction just wrote,
before any model reads it): keys unique and non-null, codes from their lists, ranges (completion
0..1, counts >= 0, unique viewers <= views), the partition value matching the rows. The marts'
rules (keys, accepted values, ranges, relationships, totals) are declared once, as dbt data tests
in each model's ``.yml``, and run by dbt in every build; the mart suites here add the fact's
per-date distribution (with the rules of its ``.yml``, read from dbt's manifest) and the title
dimension's volume against the previous build.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from titlevideo import codes
from titlevideo.bytenite.vocab import (
    DELIVERABLE_TYPE,
    PLACEMENT_CHANNEL,
    PLACEMENT_STATE,
    PLACEMENT_STATES,
    PUBLISHING_STATUS,
    PUBLISHING_STATUSES,
)
from titlevideo.config import BYTENITE_ONLY_CHANNELS, CHANNELS, DELIVERABLE_TYPES, TIERS, Lake
from titlevideo.quality import declared
from titlevideo.quality.checks import (
    Check,
    Suite,
    a_le_b,
    between,
    in_set,
    not_null,
    regex,
    row_count,
    unique,
)
from titlevideo.schemas import ENTITIES, Entity
from titlevideo.warehouse import raw

ONIX_64 = tuple(codes.ONIX_PUBLISHING_STATUS)
ALL_CHANNELS = tuple(CHANNELS) + tuple(c for c in BYTENITE_ONLY_CHANNELS if c not in CHANNELS)
ISBN13 = r"^97[89][0-9]{10}$"
COUNTRY = r"^[A-Z]{2}$"
MAX_VIDEO_SECONDS = 86_400
COUNTS = ("views", "unique_viewers", "watch_time_seconds", "likes", "comments", "shares")

# --------------------------------------------------------------------------------------------
# Raw
# --------------------------------------------------------------------------------------------


def _raw_checks(entity: Entity, day: date) -> list[Check]:
    key = list(entity.key)
    base = [*not_null(*key, "_extracted_at"), unique(*key)]
    name = entity.name
    if name == "works":
        return [*base, in_set("marketing_tier_name", TIERS)]
    if name == "products":
        return [
            *base,
            *not_null("work_id"),
            unique("isbn13"),
            regex("isbn13", ISBN13),
            in_set("publishing_status_code", ONIX_64),
            regex("product_form_code", r"^[A-Z0-9]{2}$"),
        ]
    if name == "marketing_texts":
        return [*base, *not_null("work_id")]
    if name == "web_links":
        return [*base, *not_null("work_id", "product_id"), regex("role_code", r"^[0-9]{2}$")]
    if name == "jobs":
        return [*base, regex("state", r"^JOB_STATE_[A-Z_]+$")]
    if name == "assets":
        return [
            *base,
            *not_null("publishing_status"),
            in_set("publishing_status", [PUBLISHING_STATUS + s for s in PUBLISHING_STATUSES]),
            in_set("deliverable_type", [DELIVERABLE_TYPE + d for d in DELIVERABLE_TYPES]),
            regex("format", r"^ASSET_FORMAT_[A-Z0-9]+$"),
            between("duration_seconds", 0, MAX_VIDEO_SECONDS),
            between("width", 1),
            between("height", 1),
            between("size_bytes", 0),
        ]
    if name == "placements":
        return [
            *base,
            *not_null("asset_id", "channel", "state"),
            in_set("channel", [PLACEMENT_CHANNEL + c for c in ALL_CHANNELS]),
            in_set("state", [PLACEMENT_STATE + s for s in PLACEMENT_STATES]),
        ]
    if name == "daily_metrics":
        return [
            *base,
            in_set("metric_date", [day]),
            in_set("channel", [PLACEMENT_CHANNEL + c for c in ALL_CHANNELS]),
            regex("country", COUNTRY),
            *[between(c, 0) for c in COUNTS],
            between("completion_rate", 0, 1),
            between("engagement_rate", 0),
            between("avg_view_duration_seconds", 0, MAX_VIDEO_SECONDS),
            a_le_b("unique_viewers", "views"),
        ]
    raise ValueError(f"no raw suite for {entity.source}.{entity.name}")


def raw_suites(lake: Lake, day: date) -> tuple[list[Suite], list[str]]:
    """Suites for every entity partition of ``day``; also the entities with no partition that day."""
    suites: list[Suite] = []
    missing: list[str] = []
    for entity in ENTITIES.values():
        files = [f for f in raw.list_partitions(lake.raw, entity) if f.partition_value == day]
        label = f"raw.{entity.source}.{entity.name}"
        if not files:
            missing.append(label)
            continue
        # The partition file as written (no hive columns): the rows' own metric_date is checked.
        suites.append(
            Suite(
                name=f"{label}.{entity.partition_key}={day.isoformat()}",
                relation="select * from read_parquet(?)",
                params=[[str(lake.raw / f.path) for f in files]],
                checks=_raw_checks(entity, day),
                group_by=("metric_date",) if entity.name == "daily_metrics" else (),
            )
        )
    return suites, missing


# --------------------------------------------------------------------------------------------
# Marts
# --------------------------------------------------------------------------------------------


def mart_suites(
    con: duckdb.DuckDBPyConnection,
    previous: Path | None,
    fact_dates: tuple[date, ...] | None = None,
    manifest: dict[str, Any] | None = None,
) -> list[Suite]:
    """What GX checks on the candidate warehouse open on ``con`` (``previous``: the current one).

    Only what dbt's data tests do not express (those ran on every model before this):

    * ``marts.fct_video_daily`` — the distribution of the loaded metric dates (``fact_dates``
      only when given: an incremental build), one profile row per date: the rules its ``.yml``
      declares (read from dbt's manifest, :mod:`titlevideo.quality.declared`), per date, and
      every loaded date has rows;
    * ``marts.dim_title`` — volume against the previous build: an empty title dimension means
      the Consonance extraction is missing, a collapse to under half the previous build's titles
      a broken one.
    """
    facts, fact_params = "select * from marts.fct_video_daily", []
    if fact_dates is not None:
        facts = "select * from marts.fct_video_daily where list_contains(?::date[], metric_date)"
        fact_params = [list(fact_dates)]
    declared_checks = declared.checks(manifest, "fct_video_daily") if manifest else []
    previous_titles = _previous_count(con, previous, "dim_title")
    return [
        Suite(
            "marts.fct_video_daily",
            facts,
            [*declared_checks, row_count(1)],
            params=fact_params,
            group_by=("metric_date",),
        ),
        Suite(
            "marts.dim_title",
            "select work_id from marts.dim_title",
            [row_count(max(1, (previous_titles + 1) // 2))],
        ),
    ]


def _previous_count(con: duckdb.DuckDBPyConnection, previous: Path | None, model: str) -> int:
    """Rows of ``model`` in the previous build (from its meta.model_runs), 0 if unknown."""
    if previous is None or not previous.exists():
        return 0
    try:
        con.execute("attach ? as quality_prev (read_only)", [str(previous)])
    except duckdb.Error:
        return 0
    try:
        row = con.execute(
            "select rows from quality_prev.meta.model_runs where model = ?", [model]
        ).fetchone()
        return int(row[0]) if row and row[0] is not None else 0
    except duckdb.Error:
        return 0
    finally:
        con.execute("detach quality_prev")
