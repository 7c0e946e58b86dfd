"""SQL text helpers for the few statements the build writes itself (raw views, ref tables, meta)."""

from __future__ import annotations

import re
from typing import Any

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


class ModelError(ValueError):
    """The dbt project or a relation the build creates is malformed; the message names it."""


def ident(name: str) -> str:
    """A quoted SQL identifier, refusing anything that is not a plain lower-case name."""
    if not isinstance(name, str) or not _IDENT.match(name):
        raise ModelError(f"{name!r} is not a plain lower-case identifier")
    return f'"{name}"'


def sql_literal(text: str) -> str:
    """A SQL string literal, for the statements DuckDB cannot bind (COMMENT ON, CREATE VIEW)."""
    return "'" + str(text).replace("'", "''") + "'"


def comments_sql(target: str, description: str, columns: list[tuple[str, str]]) -> str:
    """COMMENT ON statements for a table and its columns, as one script (texts are literals)."""
    statements = [f"comment on table {target} is {sql_literal(description)}"]
    statements += [f"comment on column {target}.{ident(c)} is {sql_literal(d)}" for c, d in columns]
    return ";\n".join(statements)


def insert_rows(con: Any, target: str, names: list[str], rows: list[Any]) -> None:
    """Insert Python rows through an Arrow table (values are data, never SQL text)."""
    if not rows:
        return
    import pyarrow as pa

    table = pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})
    con.register("_insert_rows", table)
    try:
        con.execute(f"insert into {target} by name select * from _insert_rows")
    finally:
        con.unregister("_insert_rows")
