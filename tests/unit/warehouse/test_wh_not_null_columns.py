"""``not_null_columns``: one test node per model checks every column its ``.yml`` declares not null,
and it fails, naming the column, when any one of them has a null.

The rules were one ``not_null`` node per column before (140 nodes); folded, each model's list is
still declared once, in its ``.yml``. Here every such test of the warehouse models is run on a
copy of a built reference warehouse in which one declared column per model was set to null (or,
for a model the reference lake leaves empty, a row of nulls was added): each test must fail,
reporting exactly the columns broken, and no other.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.fixtures.lake.lakebuilder import warehouse_sql
from tests.fixtures.lake.reflake import write_reference_lake
from titlevideo.config import Rules
from titlevideo.quality import declared
from titlevideo.warehouse.build import STORAGE_VERSION, build_warehouse
from titlevideo.warehouse.dbt import DbtProject

pytestmark = pytest.mark.unit


def _generic(node: object) -> str | None:
    """The generic test a test node instantiates (None for a singular test)."""
    meta = getattr(node, "test_metadata", None)
    return meta.name if meta is not None else None


def test_each_models_not_null_columns_fails_on_the_column_broken(tmp_path):
    sql = warehouse_sql(tmp_path / "project")
    ref = write_reference_lake(tmp_path)
    lake = ref.builder.lake
    result = build_warehouse(lake, rules=Rules(), validate=None, sql_root=sql)
    folded = [t for t in result.tests if t.name.startswith("not_null_columns_")]
    assert folded and all(t.passed for t in folded)

    scratch = tmp_path / "broken.duckdb"
    shutil.copyfile(lake.warehouse, scratch)
    project = DbtProject(sql, tmp_path / "dbt-broken", STORAGE_VERSION)
    manifest = project.parse(scratch)
    tests = {
        uid: node
        for uid, node in manifest.nodes.items()
        if node.resource_type == "test" and _generic(node) == "not_null_columns"
    }
    # every model with a not-null rule is covered, and no model has a column-level not_null left
    # (the seed's one key column keeps dbt's own not_null: one column, one node either way)
    assert len(tests) == len(folded)
    assert not [
        n
        for n in manifest.nodes.values()
        if _generic(n) == "not_null" and str(n.attached_node).startswith("model.")
    ]

    broken: dict[str, set[str]] = {}
    con = duckdb.connect(str(scratch))
    try:
        for uid, node in tests.items():
            model = manifest.nodes[node.attached_node]
            table = f'"{model.schema}"."{model.alias}"'
            columns = list(node.test_metadata.kwargs["columns"])
            rows = con.execute(f"select count(*) from {table}").fetchone()[0]
            if rows:
                # the last declared column (never fct_video_daily's metric_date, which its
                # where config filters on), on one row only
                column = columns[-1]
                con.execute(
                    f'update {table} set "{column}" = null where rowid = (select min(rowid) from {table})'
                )
                broken[uid] = {column}
            else:
                con.execute(f"insert into {table} default values")
                broken[uid] = set(columns)
    finally:
        con.close()
    # at least most models are broken by a changed value, not only by an added null row
    assert sum(len(cols) == 1 for cols in broken.values()) >= len(broken) // 2

    res = project.invoke(
        ["test", "--select", "test_name:not_null_columns"], scratch, manifest=manifest
    )
    results = {r.node.unique_id: r for r in res.result.results if r.node.resource_type == "test"}
    assert set(results) == set(tests)
    con = duckdb.connect(str(scratch), read_only=True)
    try:
        for uid, r in results.items():
            assert str(r.status) == "fail", uid
            assert r.failures == len(broken[uid]), uid
            named = {row[0] for row in con.execute(r.node.compiled_code).fetchall()}
            assert named == broken[uid], uid
    finally:
        con.close()


def test_the_gx_profile_reads_the_folded_not_null_rules():
    """GX's fct_video_daily profile reads its not-null rules from the same declaration."""
    manifest = {
        "nodes": {
            "test.p.not_null_columns_fct": {
                "resource_type": "test",
                "attached_node": "model.p.fct_video_daily",
                "test_metadata": {
                    "name": "not_null_columns",
                    "kwargs": {"columns": ["metric_date", "asset_id"], "model": "x"},
                },
            }
        }
    }
    checks = declared.checks(manifest, "fct_video_daily")
    assert [(c.kind, c.columns) for c in checks] == [
        ("not_null", ("metric_date",)),
        ("not_null", ("asset_id",)),
    ]
