"""The suites: one per raw entity batch, and one per mart plus a cross-table integrity suite.

Raw suites validate the partitions of one logical date (the batch an extraction just wrote):
keys unique and non-null, codes from their lists, ranges (completion 0..1, counts >= 0, unique
viewers <= views), the partition value matching the rows. Mart suites validate the candidate
warehouse before it is swapped in: keys, accepted values, ranges, row-count sanity (no fan-out,
no collapse against the previous build) and referential integrity from facts to dimensions.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from titlevideo import codes
from titlevideo.config import BYTENITE_ONLY_CHANNELS, CHANNELS, DELIVERABLE_TYPES, TIERS, Lake
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
TITLE_STATUSES = ("LIVE", "WITHDRAWN", "INACTIVE", "NO_PRODUCTS")
RIGHTS_STATUSES = ("WORLD", "WORLD_EXCEPT", "TERRITORIES", "NONE")
MATCH_METHODS = ("WORK_ID_LABEL", "AUDIO_ISBN13_LABEL", "ISBN13_LABEL", "UNMATCHED")
PUBLISHING = ("DRAFT", "READY", "PUBLISHED", "UNPUBLISHED", "FAILED")
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
            in_set("publishing_status", [f"PUBLISHING_STATUS_{s}" for s in PUBLISHING]),
            in_set("deliverable_type", [f"DELIVERABLE_TYPE_{d}" for d in DELIVERABLE_TYPES]),
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
            in_set("channel", [f"PLACEMENT_CHANNEL_{c}" for c in ALL_CHANNELS]),
            in_set(
                "state",
                [f"PLACEMENT_STATE_{s}" for s in ("PENDING", "ENABLED", "DISABLED", "ERROR")],
            ),
        ]
    if name == "daily_metrics":
        return [
            *base,
            in_set("metric_date", [day]),
            in_set("channel", [f"PLACEMENT_CHANNEL_{c}" for c in ALL_CHANNELS]),
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
) -> list[Suite]:
    """Suites over the candidate warehouse open on ``con``; ``previous`` is the current warehouse.

    ``fct_video_daily`` is profiled per metric date, for ``fact_dates`` only when given (an
    incremental build: the dates it loaded); its keys are also unique-tested over the whole table
    by the model tests, and its references by the integrity suite.
    """
    facts, fact_params = "select * from marts.fct_video_daily", []
    if fact_dates is not None:
        facts = "select * from marts.fct_video_daily where list_contains(?::date[], metric_date)"
        fact_params = [list(fact_dates)]
    n_titles = int(con.execute("select count(*) from marts.dim_title").fetchone()[0])
    previous_titles = _previous_count(con, previous, "dim_title")
    rate = [between("completion_rate", 0, 1), between("engagement_rate", 0)]
    lo, hi = con.execute(
        "select launch_window_start_day, launch_window_end_day from ref.windows"
    ).fetchone()
    suites = [
        Suite(
            "marts.dim_title",
            "select * from marts.dim_title",
            [
                *not_null("work_id", "title_status", "rights_status", "allows_anywhere"),
                unique("work_id"),
                in_set("title_status", TITLE_STATUSES),
                in_set("rights_status", RIGHTS_STATUSES),
                in_set("tier", TIERS),
                # an empty title dimension means the Consonance extraction is missing; a collapse
                # to under half of the previous build's titles means a broken one
                row_count(max(1, (previous_titles + 1) // 2)),
            ],
        ),
        Suite(
            "marts.dim_product",
            "select * from marts.dim_product",
            [
                *not_null("product_id", "work_id"),
                unique("product_id"),
                regex("isbn13", ISBN13),
                in_set("rights_status", RIGHTS_STATUSES),
            ],
        ),
        Suite(
            "marts.dim_video_asset",
            "select * from marts.dim_video_asset",
            [
                *not_null("asset_id", "match_method", "rights_basis"),
                unique("asset_id"),
                in_set("match_method", MATCH_METHODS),
                in_set("publishing_status", PUBLISHING),
                in_set("deliverable_type", DELIVERABLE_TYPES),
                between("duration_seconds", 0, MAX_VIDEO_SECONDS),
            ],
        ),
        Suite(
            "marts.fct_video_daily",
            facts,
            [
                *not_null("metric_date", "asset_id", "channel", "country"),
                unique("metric_date", "asset_id", "channel", "country"),
                in_set("channel", ALL_CHANNELS),
                regex("country", COUNTRY),
                *[between(c, 0) for c in COUNTS],
                *rate,
                a_le_b("unique_viewers", "views"),
            ],
            params=fact_params,
            group_by=("metric_date",),
        ),
        Suite(
            "marts.fct_placement_current",
            "select * from marts.fct_placement_current",
            [
                *not_null("placement_id", "asset_id", "is_enabled", "covers_not_for_sale"),
                unique("placement_id"),
                in_set("channel", ALL_CHANNELS),
            ],
        ),
        Suite(
            "marts.mart_title_performance",
            "select * from marts.mart_title_performance",
            [
                unique("work_id"),
                *[
                    between(c, 0)
                    for c in (
                        "views",
                        "watch_time_seconds",
                        "completed_views",
                        "engagements",
                        "n_assets",
                    )
                ],
                *rate,
                row_count(n_titles, n_titles),  # one row per title: no fan-out, none lost
            ],
        ),
        Suite(
            "marts.mart_title_channel_performance",
            "select * from marts.mart_title_channel_performance",
            [unique("work_id", "channel"), between("views", 0), *rate],
        ),
        Suite(
            "marts.mart_title_country_performance",
            "select * from marts.mart_title_country_performance",
            [
                unique("work_id", "country"),
                between("views", 0),
                between("views_not_for_sale", 0),
                a_le_b("views_not_for_sale", "views"),
                *rate,
            ],
        ),
        Suite(
            "marts.mart_launch_window",
            "select * from marts.mart_launch_window",
            [
                unique("work_id", "days_from_publication"),
                between("views", 0),
                a_le_b("views", "cumulative_views"),
                between("days_from_publication", lo, hi),
                *rate,
            ],
        ),
        Suite(
            "marts.mart_season_performance",
            "select * from marts.mart_season_performance",
            [unique("season_name"), between("n_titles", 1), *rate],
        ),
        Suite(
            "marts.mart_imprint_performance",
            "select * from marts.mart_imprint_performance",
            [unique("imprint_name"), between("n_titles", 1), *rate],
        ),
        Suite(
            "marts.mart_compliance_findings",
            "select * from marts.mart_compliance_findings",
            [*not_null("finding_id", "finding_type", "asset_id"), unique("finding_id")],
        ),
        Suite("marts.integrity", _INTEGRITY, [between(c, 0, 0) for c in _INTEGRITY_COLUMNS]),
    ]
    return suites


#: Referential integrity and totals that must agree across tables, each a count that must be 0.
_INTEGRITY_COLUMNS = (
    "fct_assets_missing_in_dim_video_asset",
    "fct_works_missing_in_dim_title",
    "asset_works_missing_in_dim_title",
    "product_works_missing_in_dim_title",
    "placement_works_missing_in_dim_title",
    "views_title_performance_minus_matched_facts",
    "titles_season_rollup_minus_dim_title",
    "titles_imprint_rollup_minus_dim_title",
)
_INTEGRITY = """
select
    (select count(*) from marts.fct_video_daily f
        where not exists (select 1 from marts.dim_video_asset d where d.asset_id = f.asset_id))
        as fct_assets_missing_in_dim_video_asset,
    (select count(*) from marts.fct_video_daily f
        where f.work_id is not null
          and not exists (select 1 from marts.dim_title d where d.work_id = f.work_id))
        as fct_works_missing_in_dim_title,
    (select count(*) from marts.dim_video_asset a
        where a.work_id is not null
          and not exists (select 1 from marts.dim_title d where d.work_id = a.work_id))
        as asset_works_missing_in_dim_title,
    (select count(*) from marts.dim_product p
        where not exists (select 1 from marts.dim_title d where d.work_id = p.work_id))
        as product_works_missing_in_dim_title,
    (select count(*) from marts.fct_placement_current p
        where p.work_id is not null
          and not exists (select 1 from marts.dim_title d where d.work_id = p.work_id))
        as placement_works_missing_in_dim_title,
    (select coalesce(sum(views), 0) from marts.mart_title_performance)
        - (select coalesce(sum(views), 0) from marts.fct_video_daily where work_id is not null)
        as views_title_performance_minus_matched_facts,
    (select coalesce(sum(n_titles), 0) from marts.mart_season_performance)
        - (select count(*) from marts.dim_title)
        as titles_season_rollup_minus_dim_title,
    (select coalesce(sum(n_titles), 0) from marts.mart_imprint_performance)
        - (select count(*) from marts.dim_title)
        as titles_imprint_rollup_minus_dim_title
"""


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
