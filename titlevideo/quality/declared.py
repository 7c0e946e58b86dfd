"""Mart expectations read from their one declaration: the dbt model's ``.yml`` (its data tests).

The build's dbt parse writes ``<LAKE_ROOT>/warehouse/dbt/target/manifest.json``; every data test
attached to a model is there with its arguments. Here they become the checks of
:mod:`titlevideo.quality.checks`, so a GX suite over a mart validates exactly the rules its
``.yml`` declares (a rule changed there changes here). Tests across tables (``relationships``,
singular tests) have no per-row form and are left to dbt.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from titlevideo.quality.checks import Check, a_le_b, between, in_set, not_null, regex, unique


def manifest_path(warehouse_dir: Path) -> Path:
    """dbt's manifest of the last parse (see :mod:`titlevideo.warehouse.dbt`)."""
    return warehouse_dir / "dbt" / "target" / "manifest.json"


def load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        manifest: dict[str, Any] = json.load(fh)
    return manifest


def checks(manifest: dict[str, Any], model: str) -> list[Check]:
    """The per-row checks the model's data tests declare, in a stable order."""
    out: list[tuple[str, Check]] = []
    for uid, node in manifest["nodes"].items():
        if node.get("resource_type") != "test" or not node.get("test_metadata"):
            continue
        if (node.get("attached_node") or "").rsplit(".", 1)[-1] != model:
            continue
        meta = node["test_metadata"]
        kw = meta.get("kwargs") or {}
        col = str(kw.get("column_name") or "")
        name = meta["name"]
        if name == "not_null":
            out += [(uid, c) for c in not_null(col)]
        elif name == "not_null_columns":
            out += [(uid, c) for c in not_null(*kw["columns"])]
        elif name == "unique":
            out.append((uid, unique(col)))
        elif name == "unique_combination":
            out.append((uid, unique(*kw["columns"])))
        elif name == "accepted_values":
            out.append((uid, in_set(col, kw["values"])))
        elif name == "between":
            out.append((uid, between(col, kw.get("min_value"), kw.get("max_value"))))
        elif name == "not_greater_than":
            out.append((uid, a_le_b(col, kw["other"])))
        elif name == "matches_regex":
            out.append((uid, regex(col, f"^(?:{kw['pattern']})$")))
    return [c for _, c in sorted(out, key=lambda x: x[0])]
