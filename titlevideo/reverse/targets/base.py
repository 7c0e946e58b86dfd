"""What every target shares: reading its ``rev_`` model into engine rows.

Every ``rev_<system>__<entity>`` model has the columns ``key``, ``desired_json`` (null = should not
exist), ``observed_json`` (null = absent remotely), ``observed_at`` (when the extraction saw it) and
``context_json`` (ids a call needs). The warehouse is opened read-only: syncs never write to it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Generic, TypeVar

from titlevideo.config import Lake, Rules
from titlevideo.reverse.engine import Row, Target

REV_COLUMNS = ("key", "desired_json", "observed_json", "observed_at", "context_json")

C = TypeVar("C")


def label(code: str) -> str:
    """``AUTHOR_INTERVIEW`` -> ``Author interview`` (deliverable types, statuses in texts)."""
    words = code.replace("_", " ").lower()
    return words[:1].upper() + words[1:]


def read_rev(warehouse: Path, model: str) -> Iterator[Row]:
    """Rows of a ``rev_`` model from a read-only connection to the warehouse."""
    import duckdb

    if not model.startswith("rev_") or not model.replace("_", "").isalnum():
        raise ValueError(f"not a reverse model name: {model!r}")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cur = con.execute(f"select {', '.join(REV_COLUMNS)} from reverse.{model} order by key")
        while batch := cur.fetchmany(10_000):
            for key, desired, observed, observed_at, context in batch:
                if observed_at is not None and observed_at.tzinfo is None:
                    observed_at = observed_at.replace(tzinfo=UTC)
                yield Row(
                    key=str(key),
                    desired=None if desired is None else json.loads(desired),
                    observed=None if observed is None else json.loads(observed),
                    observed_at=observed_at,
                    context={} if context is None else json.loads(context),
                )
    finally:
        con.close()


class RevTarget(Target, Generic[C]):
    """A target whose rows are its ``rev_`` model (``model``), written through ``client``."""

    model = ""

    def __init__(self, client: C, lake: Lake, rules: Rules):
        self.client = client
        self.lake = lake
        self.rules = rules

    def rows(self) -> Iterator[Row]:
        return read_rev(self.lake.warehouse, self.model)
