"""The warehouse's model version: a warehouse built from an older model version (or before the
marker) is rebuilt in full, never read as if current; a newer one is refused."""

from __future__ import annotations

import duckdb
import pytest

from tests.fixtures.lake.lakebuilder import warehouse_sql
from tests.fixtures.lake.reflake import D3, write_reference_lake
from titlevideo.config import ConfigError, Rules
from titlevideo.warehouse import meta
from titlevideo.warehouse.build import build_warehouse

pytestmark = pytest.mark.unit


def _version(path, sql: str | None = None):
    con = duckdb.connect(str(path), read_only=sql is None)
    try:
        if sql:
            con.execute(sql)
            return None
        return con.execute("select version, release from meta.model_version").fetchall()
    finally:
        con.close()


def _set_project_version(sql_root, version: str) -> None:
    path = sql_root / "dbt_project.yml"
    text = path.read_text()
    old = f'version: "{meta.project_version(sql_root)}"'
    assert old in text
    path.write_text(text.replace(old, f'version: "{version}"'))


def test_older_model_version_rebuilds_in_full_and_a_newer_one_is_refused(tmp_path_factory):
    ref = write_reference_lake(tmp_path_factory.mktemp("lake"))
    lake = ref.builder.lake
    sql = warehouse_sql(tmp_path_factory.mktemp("sql"))
    first = build_warehouse(lake, day=D3, rules=Rules(), sql_root=sql, validate=None)
    current = meta.project_version(sql)
    assert [v for v, _ in _version(lake.warehouse)] == [current]
    assert first.plan.mode == "full"

    # the same models again: incremental
    again = build_warehouse(lake, day=D3, rules=Rules(), sql_root=sql, validate=None)
    assert again.plan.mode == "incremental"

    # a release with a newer model version: the old warehouse is rebuilt in full
    _set_project_version(sql, "99.0")
    upgraded = build_warehouse(lake, day=D3, rules=Rules(), sql_root=sql, validate=None)
    assert upgraded.plan.mode == "full"
    assert upgraded.plan.reason == (
        f"previous warehouse built from model version {current}, this release's is 99.0"
    )
    assert [v for v, _ in _version(lake.warehouse)] == ["99.0"]

    # the syncs refuse a warehouse of another model version
    with pytest.raises(
        ConfigError,
        match=f"built from model version 99.0; this release reads model version {current}",
    ):
        meta.require_current(lake.warehouse, current)
    meta.require_current(lake.warehouse, "99.0")

    # going back to the older models: refused, the warehouse left as it is
    _set_project_version(sql, current)
    before = lake.warehouse.read_bytes()
    with pytest.raises(ConfigError) as refused:
        build_warehouse(lake, day=D3, rules=Rules(), sql_root=sql, validate=None)
    assert f"The warehouse {lake.warehouse} is in format 99.0" in str(refused.value)
    assert "Downgrading is not supported" in str(refused.value)
    assert lake.warehouse.read_bytes() == before


def test_a_warehouse_from_before_the_marker_is_rebuilt_in_full(tmp_path_factory):
    ref = write_reference_lake(tmp_path_factory.mktemp("lake"))
    lake = ref.builder.lake
    sql = warehouse_sql(tmp_path_factory.mktemp("sql"))
    build_warehouse(lake, day=D3, rules=Rules(), sql_root=sql, validate=None)
    _version(lake.warehouse, "drop table meta.model_version")
    with pytest.raises(ConfigError, match="built from model version before versions"):
        meta.require_current(lake.warehouse, meta.project_version(sql))
    result = build_warehouse(lake, day=D3, rules=Rules(), sql_root=sql, validate=None)
    assert result.plan.mode == "full"
    assert result.plan.reason.startswith("previous warehouse has no model version")
