"""``every_title_in_one``: the generic test on the imprint and season rollups' group column (it
replaced two singular tests that were the same query). It passes on the reference warehouse and
fails when a title is counted in two groups.

The break goes through the real rollup models: on a copy of a built reference warehouse, one title
of ``mart_title_performance`` is listed a second time under another imprint and another season,
and dbt rebuilds the two rollups from it and runs their tests. The expected failing row (the
rollups' titles, dim_title's titles) is counted from the raw Parquet files, not from the models.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.fixtures.lake.lakebuilder import warehouse_sql
from tests.fixtures.lake.reflake import write_reference_lake
from titlevideo.config import Rules
from titlevideo.warehouse.build import STORAGE_VERSION, build_warehouse
from titlevideo.warehouse.dbt import DbtProject

pytestmark = pytest.mark.unit


def _generic(node: object) -> str | None:
    """The generic test a node instantiates (None for a model or a singular test)."""
    meta = getattr(node, "test_metadata", None)
    return meta.name if meta is not None else None


ROLLUPS = {"mart_imprint_performance": "imprint_name", "mart_season_performance": "season_name"}


def test_every_title_in_one_fails_when_a_title_is_in_two_groups(tmp_path):
    sql = warehouse_sql(tmp_path / "project")
    ref = write_reference_lake(tmp_path)
    lake = ref.builder.lake
    result = build_warehouse(lake, rules=Rules(), validate=None, sql_root=sql)
    declared = {t.model: t for t in result.tests if t.name.startswith("every_title_in_one")}
    assert set(declared) == set(ROLLUPS)
    assert all(t.passed for t in declared.values())

    with duckdb.connect() as raw:
        titles = raw.execute(
            "select count(distinct work_id) from read_parquet("
            f"'{lake.raw}/consonance/works/*/*.parquet', hive_partitioning = false)"
        ).fetchone()[0]
    assert titles == 6  # works 1001-1006 of the reference lake

    scratch = tmp_path / "broken.duckdb"
    shutil.copyfile(lake.warehouse, scratch)
    con = duckdb.connect(str(scratch))
    try:
        # work 1003 (Harbour Press, Summer 2026) a second time, under Kestrel and Winter 2025:
        # groups that exist, so no group column is new and only the count of titles is wrong
        con.execute(
            """insert into marts.mart_title_performance
               select * replace ('Kestrel' as imprint_name, 'Winter 2025' as season_name)
               from marts.mart_title_performance where work_id = 1003"""
        )
        assert con.execute(
            "select list(imprint_name order by imprint_name), list(season_name order by season_name)"
            " from marts.mart_title_performance where work_id = 1003"
        ).fetchone() == (["Harbour Press", "Kestrel"], ["Summer 2026", "Winter 2025"])
    finally:
        con.close()

    project = DbtProject(sql, tmp_path / "dbt-broken", STORAGE_VERSION)
    res = project.invoke(["build", "--select", *ROLLUPS], scratch)
    results = {r.node.unique_id: r for r in res.result.results}
    built = {r.node.name for r in results.values() if r.node.resource_type == "model"}
    assert built == set(ROLLUPS)
    assert all(str(r.status) == "success" for r in results.values() if r.node.name in ROLLUPS)
    checks = {
        r.node.attached_node.split(".")[-1]: r
        for r in results.values()
        if _generic(r.node) == "every_title_in_one"
    }
    assert set(checks) == set(ROLLUPS)
    con = duckdb.connect(str(scratch), read_only=True)
    try:
        for model, column in ROLLUPS.items():
            r = checks[model]
            assert str(r.status) == "fail", model
            assert r.failures == 1, model
            assert con.execute(r.node.compiled_code).fetchall() == [(titles + 1, titles)], model
            # the title is in both groups of the rebuilt rollup
            counts = dict(con.execute(f"select {column}, n_titles from marts.{model}").fetchall())
            assert sum(counts.values()) == titles + 1, model
        # every other test of the two rollups still passes: this rule is the one that sees it
        others = [
            r
            for r in results.values()
            if r.node.resource_type == "test" and _generic(r.node) != "every_title_in_one"
        ]
        assert others and all(str(r.status) == "pass" for r in others)
    finally:
        con.close()
