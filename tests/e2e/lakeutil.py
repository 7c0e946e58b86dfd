"""Reading a lake back for comparisons: rows without the extraction time, in key order."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from titlevideo.schemas import ENTITIES


def rows(path: Path, drop: tuple[str, ...] = ("_extracted_at",)) -> list[dict[str, Any]]:
    table = pq.read_table(path)
    keep = [c for c in table.column_names if c not in drop]
    data = table.select(keep).to_pylist()
    return sorted(data, key=lambda r: json.dumps(r, sort_keys=True, default=str))


def lake_digest(raw_root: Path) -> dict[str, str]:
    """Content hash of every raw partition (extraction times excluded), by relative path."""
    out = {}
    for path in sorted(raw_root.glob("*/*/*=*/data.parquet")):
        payload = json.dumps(rows(path), sort_keys=True, default=str).encode()
        out[str(path.relative_to(raw_root))] = hashlib.sha256(payload).hexdigest()
    return out


def partition(raw_root: Path, source: str, entity: str, value: str) -> Path:
    e = ENTITIES[(source, entity)]
    return raw_root / source / entity / f"{e.partition_key}={value}" / "data.parquet"
