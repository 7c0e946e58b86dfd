"""The SQL models of ``include/sql/``: discovery, specs, dependency order, fingerprints.

One model is one ``<name>.sql`` file (a single ``select``) with its spec beside it in
``<name>.yml``::

    description: One row per Consonance work.      # becomes the table comment
    materialized: table                            # table | ephemeral | incremental
    key: [work_id]                                 # unique + not null, checked on every build
    partition_by: metric_date                      # incremental models only
    columns:
      work_id:
        description: Consonance work id.            # becomes the column comment
        tests: [not_null, unique]
      title_status:
        description: ...
        tests:
          - accepted_values: [LIVE, WITHDRAWN]
          - relationships: {to: dim_title, field: work_id}
    tests:                                         # custom tests: a query returning the bad rows
      - name: no_negative_views
        sql: select * from fct_video_daily where views < 0

An incremental model may have ``<name>.refresh.sql``: statements run on the rows carried over from
the previous warehouse, to bring columns derived from rebuilt dimensions up to date.

Layers run in order (staging → intermediate → marts → reverse); inside a layer, models run in
dependency order, found from the model names a file mentions. Models refer to each other by bare
name; the build sets DuckDB's ``search_path`` to the layer schemas.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from titlevideo.config import SQL_ROOT

#: Layer folder → DuckDB schema, in build order. ``reverse`` belongs to the reverse-ETL models.
LAYERS: tuple[str, ...] = ("staging", "intermediate", "marts", "reverse")
MATERIALIZATIONS = ("table", "ephemeral", "incremental")
GENERIC_TESTS = ("not_null", "unique", "accepted_values", "relationships")
#: Bump when the build's handling of models changes in a way that invalidates carried-over facts.
BUILD_FORMAT = 1

#: libyaml when present (10x faster on the ~30 specs read per build)
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_WORD = re.compile(r"\b[a-z_][a-z0-9_]*\b")
_LINE_COMMENT = re.compile(r"--[^\n]*")
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_STRING = re.compile(r"'(?:[^']|'')*'")


class ModelError(ValueError):
    """A model file or spec is malformed; the message names the file."""


def ident(name: str) -> str:
    """A quoted SQL identifier, refusing anything that is not a plain lower-case name."""
    if not isinstance(name, str) or not _IDENT.match(name):
        raise ModelError(f"{name!r} is not a plain lower-case identifier")
    return f'"{name}"'


def sql_literal(text: str) -> str:
    """A SQL string literal, for the few statements DuckDB cannot bind (COMMENT ON)."""
    return "'" + str(text).replace("'", "''") + "'"


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    description: str
    tests: tuple[Any, ...] = ()


@dataclass
class Model:
    name: str
    layer: str
    path: Path
    sql: str
    description: str
    materialized: str
    key: tuple[str, ...]
    columns: dict[str, ColumnSpec]
    custom_tests: tuple[dict[str, str], ...]
    partition_by: str | None = None
    refresh_sql: str | None = None
    deps: set[str] = field(default_factory=set)
    spec_text: str = ""
    fingerprint: str = ""

    @property
    def schema(self) -> str:
        return self.layer

    @property
    def qualified(self) -> str:
        """``schema.name`` quoted; ephemeral models are temp views and take no schema."""
        if self.materialized == "ephemeral":
            return ident(self.name)
        return f"{ident(self.schema)}.{ident(self.name)}"

    @property
    def persisted(self) -> bool:
        return self.materialized != "ephemeral"


def _strip(sql: str) -> str:
    return _STRING.sub("''", _BLOCK_COMMENT.sub(" ", _LINE_COMMENT.sub(" ", sql)))


def _load_model(path: Path, layer: str) -> Model:
    name = path.stem
    if not _IDENT.match(name):
        raise ModelError(f"{path}: model file names must be lower-case identifiers")
    spec_path = path.with_suffix(".yml")
    if not spec_path.exists():
        raise ModelError(
            f"{path}: missing spec {spec_path.name} (description, key, columns, tests)"
        )
    spec_text = spec_path.read_text()
    try:
        spec = yaml.load(spec_text, Loader=YAML_LOADER) or {}
    except yaml.YAMLError as exc:
        raise ModelError(f"{spec_path}: not valid YAML: {exc}") from None
    known = {"description", "materialized", "key", "partition_by", "columns", "tests"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise ModelError(f"{spec_path}: unknown key(s) {unknown}; known: {sorted(known)}")
    description = str(spec.get("description") or "").strip()
    if not description:
        raise ModelError(f"{spec_path}: a description is required")
    materialized = spec.get("materialized", "table")
    if materialized not in MATERIALIZATIONS:
        raise ModelError(f"{spec_path}: materialized must be one of {MATERIALIZATIONS}")
    key = tuple(spec.get("key") or ())
    if materialized != "ephemeral" and not key:
        raise ModelError(f"{spec_path}: persisted models declare a key")
    for k in key:
        ident(k)
    partition_by = spec.get("partition_by")
    if materialized == "incremental":
        if not partition_by:
            raise ModelError(f"{spec_path}: incremental models declare partition_by")
        ident(partition_by)
    elif partition_by:
        raise ModelError(f"{spec_path}: partition_by is only for incremental models")
    columns: dict[str, ColumnSpec] = {}
    for col, cspec in (spec.get("columns") or {}).items():
        ident(col)
        cspec = cspec or {}
        if not isinstance(cspec, dict):
            raise ModelError(f"{spec_path}: column {col} must be a mapping with description/tests")
        tests = tuple(cspec.get("tests") or ())
        for t in tests:
            tname = (
                t
                if isinstance(t, str)
                else next(iter(t), None)
                if isinstance(t, dict) and len(t) == 1
                else None
            )
            if tname not in GENERIC_TESTS:
                raise ModelError(
                    f"{spec_path}: column {col}: unknown test {t!r}; known: {GENERIC_TESTS}"
                )
        columns[col] = ColumnSpec(col, str(cspec.get("description") or "").strip(), tests)
    custom = []
    for t in spec.get("tests") or ():
        if not (isinstance(t, dict) and set(t) == {"name", "sql"}):
            raise ModelError(f"{spec_path}: custom tests are mappings with exactly name and sql")
        ident(t["name"])
        custom.append({"name": t["name"], "sql": str(t["sql"])})
    refresh_path = path.with_name(f"{name}.refresh.sql")
    refresh_sql = refresh_path.read_text() if refresh_path.exists() else None
    if refresh_sql is not None and materialized != "incremental":
        raise ModelError(f"{refresh_path}: refresh statements are only for incremental models")
    return Model(
        name=name,
        layer=layer,
        path=path,
        sql=path.read_text(),
        description=description,
        materialized=materialized,
        key=key,
        columns=columns,
        custom_tests=tuple(custom),
        partition_by=partition_by,
        refresh_sql=refresh_sql,
        spec_text=spec_text,
    )


def discover(root: Path = SQL_ROOT, *, extra_names: frozenset[str] = frozenset()) -> list[Model]:
    """Every model under ``root``, in build order (layer, then dependencies, then name).

    ``extra_names`` are relations the build provides that are not models (raw views, seeds); they
    may be referenced freely.
    """
    models: dict[str, Model] = {}
    for layer in LAYERS:
        folder = root / layer
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.sql")):
            if path.name.endswith(".refresh.sql"):
                continue
            model = _load_model(path, layer)
            if model.name in models:
                raise ModelError(f"{path}: model name {model.name} is used twice")
            models[model.name] = model
    layer_rank = {layer: n for n, layer in enumerate(LAYERS)}
    for model in models.values():
        words = set(_WORD.findall(_strip(model.sql)))
        if model.refresh_sql:
            words |= set(_WORD.findall(_strip(model.refresh_sql)))
        for t in model.custom_tests:
            words |= set(_WORD.findall(_strip(t["sql"])))
        for col in model.columns.values():
            for t in col.tests:
                if isinstance(t, dict) and "relationships" in t:
                    target = (t["relationships"] or {}).get("to")
                    if target in extra_names:
                        continue
                    if target not in models:
                        raise ModelError(
                            f"{model.path}: relationships test on {col.name} points to unknown model {target!r}"
                        )
                    words.add(target)
        deps = {w for w in words if w in models and w != model.name}
        for dep in deps:
            if layer_rank[models[dep].layer] > layer_rank[model.layer]:
                raise ModelError(
                    f"{model.path}: a {model.layer} model may not depend on {models[dep].layer} model {dep}"
                )
        model.deps = deps
    order = _ordered(models, layer_rank)
    for model in order:
        h = hashlib.sha256()
        h.update(f"format:{BUILD_FORMAT}\n".encode())
        h.update(model.sql.encode())
        h.update(model.spec_text.encode())
        h.update((model.refresh_sql or "").encode())
        for dep in sorted(model.deps):
            h.update(models[dep].fingerprint.encode())
        model.fingerprint = h.hexdigest()
    return order


def _ordered(models: dict[str, Model], layer_rank: dict[str, int]) -> list[Model]:
    """Kahn's algorithm, always taking the ready model with the lowest (layer, name)."""
    waiting = {name: set(m.deps) for name, m in models.items()}
    ready = [(layer_rank[m.layer], name) for name, m in models.items() if not m.deps]
    heapq.heapify(ready)
    out: list[Model] = []
    while ready:
        _, name = heapq.heappop(ready)
        out.append(models[name])
        for other, deps in waiting.items():
            if name in deps:
                deps.discard(name)
                if not deps:
                    heapq.heappush(ready, (layer_rank[models[other].layer], other))
    if len(out) != len(models):
        stuck = sorted(set(models) - {m.name for m in out})
        raise ModelError(f"models depend on each other in a cycle: {stuck}")
    return out


def references(model: Model, names: set[str] | frozenset[str]) -> set[str]:
    """Which of ``names`` the model's SQL (and refresh SQL) mentions."""
    words = set(_WORD.findall(_strip(model.sql)))
    if model.refresh_sql:
        words |= set(_WORD.findall(_strip(model.refresh_sql)))
    return words & set(names)


def select_sql(model: Model) -> str:
    """The model's single ``select`` statement, without a trailing semicolon."""
    sql = model.sql.strip()
    while sql.endswith(";"):
        sql = sql[:-1].rstrip()
    if ";" in _strip(sql):
        raise ModelError(f"{model.path}: a model file holds one select statement")
    return sql


def comments_sql(target: str, description: str, columns: list[tuple[str, str]]) -> str:
    """COMMENT ON statements for a table and its columns, as one script.

    COMMENT ON takes no bound parameters: the texts are this project's own specs, quoted as
    literals by :func:`sql_literal`.
    """
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
