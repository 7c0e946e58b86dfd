"""The raw lake as the build sees it: partition listings (the manifest) and typed relations.

Each raw entity of :mod:`titlevideo.schemas` becomes a view ``raw.<source>__<entity>`` (the dbt
sources ``consonance`` and ``bytenite`` of ``include/sql/models/sources.yml``) while the build runs, typed exactly as the contract says plus its partition key column
(``extracted_on`` / ``snapshot_on`` / ``metric_date``, a DATE from the hive folder name). Staging
models read only these views, so no lake path appears in SQL.

Files are listed here, not globbed by DuckDB: dot-prefixed names (a writer's temp file, see
:mod:`titlevideo.lake`) are never read, and the manifest records exactly the files the build read,
with their size and modification time, so the next build knows which partitions changed. An
entity without partitions yet is an empty relation of the right type, not an error.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from titlevideo.schemas import ENTITIES, Entity
from titlevideo.warehouse.sqltext import ident, sql_literal

log = logging.getLogger(__name__)


@dataclass(frozen=True, order=True)
class PartitionFile:
    source: str
    entity: str
    partition_key: str
    partition_value: date
    path: str  # relative to the raw root, POSIX separators
    size_bytes: int
    mtime_ns: int


#: Schema of the raw views while the build runs (dbt sources ``consonance`` and ``bytenite``).
SCHEMA = "raw"


def relation_name(entity: Entity) -> str:
    """The view's name in schema ``raw`` (the source table's ``identifier`` in models/sources.yml)."""
    return f"{entity.source}__{entity.name}"


def list_partitions(raw_root: Path, entity: Entity) -> list[PartitionFile]:
    """Every committed partition file of ``entity`` (stat taken before the build reads it)."""
    base = raw_root / entity.source / entity.name
    out: list[PartitionFile] = []
    if not base.is_dir():
        return out
    prefix = f"{entity.partition_key}="
    for part in sorted(base.iterdir()):
        if not part.is_dir() or part.name.startswith(".") or not part.name.startswith(prefix):
            continue
        try:
            value = date.fromisoformat(part.name[len(prefix) :])
        except ValueError:
            log.warning("ignoring %s: partition value is not YYYY-MM-DD", part)
            continue
        for file in sorted(part.glob("*.parquet")):
            if file.name.startswith("."):
                continue  # a writer's temp file
            st = file.stat()
            out.append(
                PartitionFile(
                    entity.source,
                    entity.name,
                    entity.partition_key,
                    value,
                    file.relative_to(raw_root).as_posix(),
                    st.st_size,
                    st.st_mtime_ns,
                )
            )
    return out


def scan_lake(raw_root: Path) -> dict[tuple[str, str], list[PartitionFile]]:
    return {key: list_partitions(raw_root, entity) for key, entity in ENTITIES.items()}


def _typed_empty(entity: Entity) -> pa.Table:
    fields = list(entity.schema)
    if entity.partition_key not in entity.schema.names:
        fields.append(pa.field(entity.partition_key, pa.date32()))
    return pa.schema(fields).empty_table()


def duckdb_types(con: duckdb.DuckDBPyConnection, entity: Entity) -> dict[str, str]:
    """Column → DuckDB type of the entity's contract (incl. the partition key)."""
    rel = con.from_arrow(_typed_empty(entity))
    return {name: str(dtype) for name, dtype in zip(rel.columns, rel.dtypes, strict=True)}


def register(
    con: duckdb.DuckDBPyConnection,
    raw_root: Path,
    entity: Entity,
    files: list[PartitionFile],
) -> str:
    """Create the view ``raw.<source>__<entity>`` over ``files`` (or an empty typed relation).

    A persistent view (dbt runs on its own connection), dropped again before the swap: the
    warehouse keeps no path into the lake.
    """
    name = f"{ident(SCHEMA)}.{ident(relation_name(entity))}"
    types = duckdb_types(con, entity)
    con.execute(f"create schema if not exists {ident(SCHEMA)}")
    if not files:
        cols = ", ".join(f"cast(null as {t}) as {ident(c)}" for c, t in types.items())
        con.execute(f"create or replace view {name} as select {cols} limit 0")
        return name
    paths = [os.fspath(raw_root / f.path) for f in files]
    # union_by_name tolerates a partition written before a column was added to the contract
    # (the column reads as NULL).
    present = set(con.read_parquet(paths, hive_partitioning=True, union_by_name=True).columns)
    exprs = []
    for column, dtype in types.items():
        source = ident(column) if column in present else "null"
        exprs.append(f"cast({source} as {dtype}) as {ident(column)}")
    file_list = ", ".join(sql_literal(p) for p in paths)
    con.execute(
        f"create or replace view {name} as select {', '.join(exprs)} "
        f"from read_parquet([{file_list}], hive_partitioning = true, union_by_name = true)"
    )
    return name


def drop_views(con: duckdb.DuckDBPyConnection) -> None:
    """Drop schema ``raw`` (the views over lake files) before the warehouse is swapped in."""
    con.execute(f"drop schema if exists {ident(SCHEMA)} cascade")
