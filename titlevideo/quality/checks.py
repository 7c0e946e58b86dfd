"""Quality checks declared once, validated by Great Expectations in one of two shapes.

A :class:`Suite` names a relation (a DuckDB query) and its :class:`Check` list. How the rows reach
GX depends on size:

* **frame** — up to ``row_limit`` rows (default 250,000): the relation is fetched as a pandas
  frame and every check becomes the matching GX expectation on it (row-by-row).
* **profile** — larger relations, and any suite with ``group_by`` (``fct_video_daily`` per metric
  date, a raw metrics partition): DuckDB computes one aggregate row per group — null counts,
  duplicate counts, min/max of ranged columns, rows outside a value set or pattern — and GX
  validates that aggregate frame. Every row is still covered; only the aggregate is moved.

Either way the outcome and the Data Docs come from GX.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from titlevideo.warehouse.sqltext import ident

DEFAULT_ROW_LIMIT = 250_000


@dataclass(frozen=True)
class Check:
    kind: str  # not_null | unique | between | in_set | regex | a_le_b | row_count
    columns: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    values: tuple[Any, ...] = ()
    pattern: str | None = None


def not_null(*columns: str) -> list[Check]:
    return [Check("not_null", (c,)) for c in columns]


def unique(*columns: str) -> Check:
    return Check("unique", tuple(columns))


def between(column: str, min_value: float | None = None, max_value: float | None = None) -> Check:
    return Check("between", (column,), min_value, max_value)


def in_set(column: str, values: tuple[Any, ...] | list[Any]) -> Check:
    return Check("in_set", (column,), values=tuple(values))


def regex(column: str, pattern: str) -> Check:
    """``pattern`` must match the whole value (anchor it with ^ and $)."""
    return Check("regex", (column,), pattern=pattern)


def a_le_b(a: str, b: str) -> Check:
    return Check("a_le_b", (a, b))


def row_count(min_value: int | None = None, max_value: int | None = None) -> Check:
    return Check("row_count", (), min_value, max_value)


@dataclass
class Suite:
    name: str
    relation: str  # a query; identifiers from this package, values as params
    checks: list[Check]
    params: list[Any] = field(default_factory=list)
    group_by: tuple[str, ...] = ()


@dataclass
class Prepared:
    """A suite ready for GX: the frame to validate and the expectation configs for it."""

    suite: Suite
    shape: str  # frame | profile
    frame: Any  # pandas.DataFrame
    expectations: list[tuple[str, dict[str, Any]]]  # (GX expectation class name, kwargs)
    rows: int


def _frame_expectations(checks: list[Check]) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for c in checks:
        if c.kind == "not_null":
            out.append(("ExpectColumnValuesToNotBeNull", {"column": c.columns[0]}))
        elif c.kind == "unique" and len(c.columns) == 1:
            out.append(("ExpectColumnValuesToBeUnique", {"column": c.columns[0]}))
        elif c.kind == "unique":
            out.append(("ExpectCompoundColumnsToBeUnique", {"column_list": list(c.columns)}))
        elif c.kind == "between":
            out.append(
                (
                    "ExpectColumnValuesToBeBetween",
                    {"column": c.columns[0], "min_value": c.min_value, "max_value": c.max_value},
                )
            )
        elif c.kind == "in_set":
            out.append(
                (
                    "ExpectColumnValuesToBeInSet",
                    {"column": c.columns[0], "value_set": list(c.values)},
                )
            )
        elif c.kind == "regex":
            out.append(
                ("ExpectColumnValuesToMatchRegex", {"column": c.columns[0], "regex": c.pattern})
            )
        elif c.kind == "a_le_b":
            out.append(
                (
                    "ExpectColumnPairValuesAToBeGreaterThanB",
                    {
                        "column_A": c.columns[1],
                        "column_B": c.columns[0],
                        "or_equal": True,
                        "ignore_row_if": "either_value_is_missing",
                    },
                )
            )
        elif c.kind == "row_count":
            out.append(
                (
                    "ExpectTableRowCountToBeBetween",
                    {"min_value": c.min_value, "max_value": c.max_value},
                )
            )
        else:
            raise ValueError(f"unknown check kind {c.kind}")
    return out


def _profile(checks: list[Check]) -> tuple[list[str], list[Any], list[tuple[str, dict[str, Any]]]]:
    """Aggregate select items, their params, and the expectations on the aggregate columns."""
    items: list[str] = []
    params: list[Any] = []
    exps: list[tuple[str, dict[str, Any]]] = []

    def zero(col: str) -> None:
        exps.append(
            ("ExpectColumnValuesToBeBetween", {"column": col, "min_value": 0, "max_value": 0})
        )

    for c in checks:
        cols = [ident(x) for x in c.columns]
        if c.kind == "not_null":
            name = f"{c.columns[0]}__nulls"
            items.append(f"count(*) filter (where {cols[0]} is null) as {ident(name)}")
            zero(name)
        elif c.kind == "unique":
            name = "__".join(c.columns) + "__duplicates"
            if len(cols) == 1:  # like GX: nulls are not duplicates of each other
                items.append(f"count({cols[0]}) - count(distinct {cols[0]}) as {ident(name)}")
            else:
                items.append(f"count(*) - count(distinct ({', '.join(cols)})) as {ident(name)}")
            zero(name)
        elif c.kind == "between":
            if c.min_value is not None:
                name = f"{c.columns[0]}__min"
                items.append(f"min({cols[0]}) as {ident(name)}")
                exps.append(
                    ("ExpectColumnValuesToBeBetween", {"column": name, "min_value": c.min_value})
                )
            if c.max_value is not None:
                name = f"{c.columns[0]}__max"
                items.append(f"max({cols[0]}) as {ident(name)}")
                exps.append(
                    ("ExpectColumnValuesToBeBetween", {"column": name, "max_value": c.max_value})
                )
        elif c.kind == "in_set":
            name = f"{c.columns[0]}__not_in_set"
            items.append(
                f"count(*) filter (where {cols[0]} is not null and not list_contains(?, {cols[0]})) as {ident(name)}"
            )
            params.append(list(c.values))
            zero(name)
        elif c.kind == "regex":
            name = f"{c.columns[0]}__not_matching"
            items.append(
                f"count(*) filter (where {cols[0]} is not null and not regexp_matches(cast({cols[0]} as varchar), ?)) as {ident(name)}"
            )
            params.append(c.pattern)
            zero(name)
        elif c.kind == "a_le_b":
            name = f"{c.columns[0]}__gt__{c.columns[1]}"
            items.append(f"count(*) filter (where {cols[0]} > {cols[1]}) as {ident(name)}")
            zero(name)
        elif c.kind == "row_count":
            items.append('count(*) as "rows"')
            exps.append(
                (
                    "ExpectColumnValuesToBeBetween",
                    {"column": "rows", "min_value": c.min_value, "max_value": c.max_value},
                )
            )
        else:
            raise ValueError(f"unknown check kind {c.kind}")
    return items, params, exps


def prepare(
    con: duckdb.DuckDBPyConnection, suite: Suite, row_limit: int = DEFAULT_ROW_LIMIT
) -> Prepared:
    counted = con.execute(f"select count(*) from ({suite.relation}) as r", suite.params).fetchone()
    rows = int(counted[0]) if counted else 0
    if rows <= row_limit and not suite.group_by:
        frame = con.execute(suite.relation, suite.params).df()
        return Prepared(suite, "frame", frame, _frame_expectations(suite.checks), rows)
    items, params, exps = _profile(suite.checks)
    groups = [ident(g) for g in suite.group_by]
    select = ", ".join([*groups, 'count(*) as "n_rows"', *items])
    sql = f"select {select} from ({suite.relation}) as r"
    if groups:
        sql += f" group by {', '.join(groups)} order by {', '.join(groups)}"
    # the aggregate items (and their params) come before the relation in the text
    frame = con.execute(sql, [*params, *suite.params]).df()
    return Prepared(suite, "profile", frame, exps, rows)
