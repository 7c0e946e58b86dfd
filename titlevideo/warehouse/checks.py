"""Model tests declared beside each model (``<model>.yml``), compiled to "failing rows" queries.

Every test is a query that returns the rows breaking it; the build counts them and keeps a few as
samples. Generic tests:

* the model's ``key`` — each key column not null, and the key combination unique;
* ``not_null``, ``unique`` on a column;
* ``accepted_values: [..]`` — non-null values must be in the list (bound as a parameter);
* ``relationships: {to: <model>, field: <column>}`` — non-null values must exist in that model;
* custom ``tests: [{name, sql}]`` — the query itself returns the failing rows.

Identifiers come from the spec and are checked against the built table's columns and the known
model names before use; values are bound parameters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import duckdb

from titlevideo.warehouse.models import Model, ModelError, ident

REF_SCHEMA = "ref"


@dataclass(frozen=True)
class TestResult:
    model: str
    name: str
    failures: int
    seconds: float
    samples: tuple[tuple[Any, ...], ...] = ()

    @property
    def passed(self) -> bool:
        return self.failures == 0


@dataclass
class CompiledTest:
    model: str
    name: str
    sql: str
    params: list[Any] = field(default_factory=list)


class ModelTestFailure(RuntimeError):
    """One or more model tests failed; the build stops before the swap."""

    def __init__(self, results: list[TestResult]):
        self.results = results
        lines = [
            f"{r.model}.{r.name}: {r.failures} failing row(s), e.g. {list(r.samples)[:3]}"
            for r in results
        ]
        super().__init__("model tests failed:\n  " + "\n  ".join(lines))


def table_columns(con: duckdb.DuckDBPyConnection, model: Model) -> list[str]:
    return [row[0] for row in con.execute(f"select * from {model.qualified} limit 0").description]


def compile_tests(
    model: Model,
    columns: list[str],
    models: dict[str, Model],
    ref_tables: frozenset[str] = frozenset(),
    reloaded: list[Any] | None = None,
) -> list[CompiledTest]:
    """The model's tests as failing-rows queries.

    ``reloaded``: in an incremental build of a partitioned model, the partitions this build
    loaded. The key tests (key columns not null, key unique — the key includes the partition
    column) then read only those partitions: every carried-over partition passed them in the
    build that loaded it, carrying over copies its rows, and the model's refresh SQL changes no
    key column. Every other test reads the whole table.
    """
    present = set(columns)

    def col(name: str) -> str:
        if name not in present:
            raise ModelError(
                f"{model.name}: test refers to column {name!r}, which the model does not produce"
            )
        return ident(name)

    target = model.qualified
    out: list[CompiledTest] = []
    if model.key:
        key_target, key_params = target, []
        if reloaded is not None and model.partition_by and model.partition_by in model.key:
            key_target = (
                f"(select * from {target} "
                f"where list_contains(?::date[], {col(model.partition_by)})) as reloaded"
            )
            key_params = [list(reloaded)]
        for k in model.key:
            out.append(
                CompiledTest(
                    model.name,
                    f"key_not_null__{k}",
                    f"select * from {key_target} where {col(k)} is null",
                    list(key_params),
                )
            )
        keys = ", ".join(col(k) for k in model.key)
        out.append(
            CompiledTest(
                model.name,
                "key_unique__" + "__".join(model.key),
                f"select {keys}, count(*) as n from {key_target} group by {keys} having count(*) > 1",
                list(key_params),
            )
        )
    for spec in model.columns.values():
        for test in spec.tests:
            name = test if isinstance(test, str) else next(iter(test))
            arg = None if isinstance(test, str) else test[name]
            c = col(spec.name)
            if name == "not_null":
                out.append(
                    CompiledTest(
                        model.name,
                        f"not_null__{spec.name}",
                        f"select * from {target} where {c} is null",
                    )
                )
            elif name == "unique":
                out.append(
                    CompiledTest(
                        model.name,
                        f"unique__{spec.name}",
                        f"select {c}, count(*) as n from {target} where {c} is not null group by {c} having count(*) > 1",
                    )
                )
            elif name == "accepted_values":
                values = arg.get("values") if isinstance(arg, dict) else arg
                if not isinstance(values, list) or not values:
                    raise ModelError(
                        f"{model.name}.{spec.name}: accepted_values needs a non-empty list"
                    )
                out.append(
                    CompiledTest(
                        model.name,
                        f"accepted_values__{spec.name}",
                        f"select {c}, count(*) as n from {target} where {c} is not null "
                        f"and not list_contains(?::varchar[], cast({c} as varchar)) group by {c}",
                        [[str(v) for v in values]],
                    )
                )
            elif name == "relationships":
                to, fld = (arg or {}).get("to"), (arg or {}).get("field")
                if to in models:
                    parent_table = models[to].qualified
                elif to in ref_tables:
                    parent_table = f"{ident(REF_SCHEMA)}.{ident(to)}"
                else:
                    raise ModelError(
                        f"{model.name}.{spec.name}: relationships to unknown model {to!r}"
                    )
                out.append(
                    CompiledTest(
                        model.name,
                        f"relationships__{spec.name}__{to}",
                        f"select child.{c}, count(*) as n from {target} as child "
                        f"where child.{c} is not null and not exists "
                        f"(select 1 from {parent_table} as parent where parent.{ident(fld)} = child.{c}) "
                        f"group by child.{c}",
                    )
                )
    for custom in model.custom_tests:
        out.append(CompiledTest(model.name, custom["name"], custom["sql"]))
    return out


def run_tests(
    con: duckdb.DuckDBPyConnection, tests: list[CompiledTest], *, samples: int = 5
) -> list[TestResult]:
    results = []
    for test in tests:
        started = time.perf_counter()
        failures = con.execute(
            f"select count(*) from ({test.sql}) as failing", test.params
        ).fetchone()[0]
        rows: tuple[tuple[Any, ...], ...] = ()
        if failures:
            rows = tuple(
                con.execute(
                    f"select * from ({test.sql}) as failing limit {int(samples)}", test.params
                ).fetchall()
            )
        results.append(
            TestResult(test.model, test.name, int(failures), time.perf_counter() - started, rows)
        )
    return results
