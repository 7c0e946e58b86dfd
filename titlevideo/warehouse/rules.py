"""The business rules as tables in schema ``ref``, loaded before dbt runs the models.

The rows come from :class:`titlevideo.config.Rules` (``include/config/business_rules.yaml``), so
SQL models read the rules the way Python does and a rules change is one edit there. Each table is
the dbt source ``rules.<table>``: its description, columns and their types are declared once, in
``include/sql/models/sources.yml``, and read from the parsed manifest here. Values are inserted
as data (Arrow), never as SQL text.
"""

from __future__ import annotations

from typing import Any

import duckdb

from titlevideo.config import (
    AUDIO_DELIVERABLES,
    BYTENITE_ONLY_CHANNELS,
    CHANNELS,
    DELIVERABLE_TYPES,
    TIERS,
    Rules,
)
from titlevideo.warehouse.sqltext import ModelError, comments_sql, ident, insert_rows

SCHEMA = "ref"
SOURCE = "rules"


def rows(rules: Rules) -> dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
    """Table → (columns, rows) for every rules-derived table."""
    lo, hi = rules.launch_window
    return {
        "deliverable_types": (
            ("deliverable_type", "is_audio"),
            [(d, d in AUDIO_DELIVERABLES) for d in DELIVERABLE_TYPES],
        ),
        "channels": (
            ("channel", "in_business_rules"),
            [(c, True) for c in CHANNELS]
            + [(c, False) for c in BYTENITE_ONLY_CHANNELS if c not in CHANNELS],
        ),
        "deliverable_channels": (
            ("deliverable_type", "channel"),
            [(d, c) for d, chans in sorted(rules.channels.items()) for c in chans],
        ),
        "web_link_roles": (("deliverable_type", "role_code"), sorted(rules.web_link_roles.items())),
        "tier_deliverables": (
            ("tier", "deliverable_type", "is_audio"),
            [(t, d, False) for t in TIERS for d in rules.deliverables_by_tier.get(t, ())]
            + [(t, d, True) for t in TIERS for d in rules.audio_deliverables_by_tier.get(t, ())],
        ),
        "audio_forms": (("product_form_code",), [(f,) for f in rules.audio_forms]),
        "launch_ready_stages": (("stage",), [(s,) for s in rules.launch_ready_stages]),
        "windows": (
            (
                "pre_order_days",
                "launch_window_start_day",
                "launch_window_end_day",
                "readiness_days_back",
                "readiness_days_ahead",
            ),
            [
                (
                    rules.pre_order_days,
                    lo,
                    hi,
                    7 * rules.readiness_weeks_back,
                    7 * rules.readiness_weeks_ahead,
                )
            ],
        ),
        "readiness_deadlines": (
            ("deliverable_type", "ready_days_before", "placed_days_before"),
            [(d, rules.ready_days(d), rules.placed_days_before) for d in DELIVERABLE_TYPES],
        ),
        "placement_window": (
            ("respect_sales_embargo", "end_at_out_of_print"),
            [(rules.respect_sales_embargo, rules.end_at_out_of_print)],
        ),
        "channel_restrictions": (
            ("imprint_name", "channel"),
            [
                (imprint, c)
                for imprint, chans in sorted(rules.channel_restrictions_by_imprint.items())
                for c in chans
            ],
        ),
    }


def load(con: duckdb.DuckDBPyConnection, rules: Rules, manifest: Any) -> dict[str, int]:
    """Create every ``ref`` rules table as its source declares it; returns rows per table."""
    declared = {n.name: n for n in manifest.sources.values() if n.source_name == SOURCE}
    data = rows(rules)
    if set(declared) != set(data):
        raise ModelError(
            f"models/sources.yml source {SOURCE!r} declares {sorted(declared)}; "
            f"the business rules give {sorted(data)}"
        )
    con.execute(f"create schema if not exists {ident(SCHEMA)}")
    counts: dict[str, int] = {}
    for table, (columns, values) in data.items():
        node = declared[table]
        specs = {c.name: c for c in node.columns.values()}
        if list(specs) != list(columns) or any(not specs[c].data_type for c in columns):
            raise ModelError(
                f"models/sources.yml {SOURCE}.{table}: declare columns {list(columns)} "
                f"with a data_type each (found {list(specs)})"
            )
        target = f"{ident(SCHEMA)}.{ident(table)}"
        cols = ", ".join(f"{ident(c)} {specs[c].data_type}" for c in columns)
        con.execute(f"create or replace table {target} ({cols})")
        insert_rows(con, target, list(columns), values)
        con.execute(
            comments_sql(target, node.description, [(c, specs[c].description) for c in columns])
        )
        counts[table] = len(values)
    return counts
