"""Reference tables in schema ``ref``: static code lists and the business rules, as data.

* CSV seeds from ``include/sql/seeds/<name>.csv`` with ``<name>.yml`` (description, column
  descriptions and types), e.g. ONIX list 64 with its live / withdrawn groupings.
* Tables derived from :class:`titlevideo.config.Rules` (deliverables per tier, channels, web-link
  roles, windows), so SQL models read rules the same way Python does and a rules change is one
  edit in ``include/config/business_rules.yaml``. Values are inserted with bound parameters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import yaml

from titlevideo.config import (
    AUDIO_DELIVERABLES,
    CHANNELS,
    DELIVERABLE_TYPES,
    SQL_ROOT,
    TIERS,
    Rules,
)
from titlevideo.warehouse.models import YAML_LOADER, ModelError, comments_sql, ident, insert_rows

SCHEMA = "ref"
#: ByteNite's documented placement channels that the business rules do not (yet) use.
BYTENITE_ONLY_CHANNELS = ("WEB", "CTV", "OTHER")
_TYPES = {"varchar", "boolean", "integer", "bigint", "double", "date"}


def _rules_tables(
    rules: Rules,
) -> list[tuple[str, str, list[tuple[str, str, str]], list[tuple[Any, ...]]]]:
    """(table, description, [(column, type, description)], rows) for every rules-derived table."""
    lo, hi = rules.launch_window
    return [
        (
            "deliverable_types",
            "ByteNite deliverable types the project knows, and whether each is an audio deliverable (follows its audio product's rights).",
            [
                (
                    "deliverable_type",
                    "varchar",
                    "Deliverable type without ByteNite's DELIVERABLE_TYPE_ prefix.",
                ),
                (
                    "is_audio",
                    "boolean",
                    "True for audio deliverables (audiobook sample, narrated excerpt).",
                ),
            ],
            [(d, d in AUDIO_DELIVERABLES) for d in DELIVERABLE_TYPES],
        ),
        (
            "channels",
            "Placement channels (without ByteNite's PLACEMENT_CHANNEL_ prefix): the business rules' channels plus ByteNite's documented ones.",
            [
                ("channel", "varchar", "Channel name."),
                (
                    "in_business_rules",
                    "boolean",
                    "True when the business rules place deliverables on this channel.",
                ),
            ],
            [(c, True) for c in CHANNELS]
            + [(c, False) for c in BYTENITE_ONLY_CHANNELS if c not in CHANNELS],
        ),
        (
            "deliverable_channels",
            "Business rule (flow 2): the channels each deliverable type is placed on when published.",
            [
                ("deliverable_type", "varchar", "Deliverable type."),
                ("channel", "varchar", "Channel the deliverable is placed on."),
            ],
            [(d, c) for d, chans in sorted(rules.channels.items()) for c in chans],
        ),
        (
            "web_link_roles",
            "Business rule (flow 6): the ONIX list 73 website role of the Consonance web link for each deliverable type.",
            [
                ("deliverable_type", "varchar", "Deliverable type."),
                ("role_code", "varchar", "ONIX list 73 website role, two digits."),
            ],
            sorted(rules.web_link_roles.items()),
        ),
        (
            "tier_deliverables",
            "Business rule (flows 1, 5, 8): the deliverables a title needs by Consonance marketing tier; audio ones are needed per audio product.",
            [
                ("tier", "varchar", "Consonance marketing tier name (Lead, Key, Core)."),
                ("deliverable_type", "varchar", "Deliverable type required for that tier."),
                (
                    "is_audio",
                    "boolean",
                    "True when the deliverable is made per audio product (see audio_forms).",
                ),
            ],
            [(t, d, False) for t in TIERS for d in rules.deliverables_by_tier.get(t, ())]
            + [(t, d, True) for t in TIERS for d in rules.audio_deliverables_by_tier.get(t, ())],
        ),
        (
            "audio_forms",
            "Business rule (flow 8): ONIX product forms whose products get audio deliverables.",
            [("product_form_code", "varchar", "ONIX 2.1 list 7 product form code.")],
            [(f,) for f in rules.audio_forms],
        ),
        (
            "launch_ready_stages",
            "Business rule (flow 1): Consonance project stages in which a title is launch ready.",
            [("stage", "varchar", "Consonance project stage name.")],
            [(s,) for s in rules.launch_ready_stages],
        ),
        (
            "windows",
            "Business rules (flows 2, 7): the pre-order window and the launch-analysis window, in days relative to the first publication date.",
            [
                (
                    "pre_order_days",
                    "integer",
                    "A Forthcoming product is pre-order ready this many days before publication.",
                ),
                (
                    "launch_window_start_day",
                    "integer",
                    "First day of the launch window (negative: before publication).",
                ),
                ("launch_window_end_day", "integer", "Last day of the launch window (inclusive)."),
            ],
            [(rules.pre_order_days, lo, hi)],
        ),
    ]


def _create(
    con: duckdb.DuckDBPyConnection,
    table: str,
    description: str,
    columns: list[tuple[str, str, str]],
    rows: list[tuple[Any, ...]],
) -> None:
    target = f"{ident(SCHEMA)}.{ident(table)}"
    cols = ", ".join(f"{ident(c)} {t}" for c, t, _ in columns)
    con.execute(f"create or replace table {target} ({cols})")
    insert_rows(con, target, [c for c, _, _ in columns], list(rows))
    con.execute(comments_sql(target, description, [(c, d) for c, _, d in columns]))


def _csv_seeds(
    root: Path,
) -> list[tuple[str, str, list[tuple[str, str, str]], list[tuple[Any, ...]]]]:
    import csv

    out = []
    folder = root / "seeds"
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        spec_path = path.with_suffix(".yml")
        if not spec_path.exists():
            raise ModelError(f"{path}: missing {spec_path.name}")
        spec = yaml.load(spec_path.read_text(), Loader=YAML_LOADER) or {}
        columns = []
        for col, cspec in (spec.get("columns") or {}).items():
            ctype = str(cspec.get("type", "varchar")).lower()
            if ctype not in _TYPES:
                raise ModelError(f"{spec_path}: column {col}: type must be one of {sorted(_TYPES)}")
            columns.append((col, ctype, str(cspec.get("description") or "").strip()))
        with path.open(newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != [c for c, _, _ in columns]:
                raise ModelError(
                    f"{path}: header {reader.fieldnames} does not match {spec_path.name} columns"
                )
            rows = [tuple(_cast(row[c], t) for c, t, _ in columns) for row in reader]
        out.append((path.stem, str(spec.get("description") or "").strip(), columns, rows))
    return out


def _cast(value: str, ctype: str) -> Any:
    if value == "":
        return None
    if ctype == "boolean":
        if value.lower() not in ("true", "false"):
            raise ModelError(f"boolean seed value {value!r} must be true or false")
        return value.lower() == "true"
    if ctype in ("integer", "bigint"):
        return int(value)
    if ctype == "double":
        return float(value)
    return value


def load(con: duckdb.DuckDBPyConnection, rules: Rules, root: Path = SQL_ROOT) -> dict[str, int]:
    """Create every ``ref`` table; returns rows per table."""
    con.execute(f"create schema if not exists {ident(SCHEMA)}")
    counts: dict[str, int] = {}
    for table, description, columns, rows in _csv_seeds(root) + _rules_tables(rules):
        _create(con, table, description, columns, rows)
        counts[table] = len(rows)
    return counts


def names(root: Path = SQL_ROOT) -> frozenset[str]:
    """Names of the ref tables (models may reference them)."""
    seeds = {p.stem for p in (root / "seeds").glob("*.csv")} if (root / "seeds").is_dir() else set()
    return frozenset(seeds | {t for t, *_ in _rules_tables(Rules())})
