"""Two builds of the same lake give the same completion rates to the bit, whatever order the rows
come in. The rate sent to Consonance is rounded to 4 places; a double sum that differs in its last
bits (DuckDB adds rows in no fixed order) would flip it on a rounding boundary and rewrite the
summary for nothing."""

from __future__ import annotations

import duckdb
import pytest

from tests.fixtures.lake.lakebuilder import metric, ts, warehouse_sql
from tests.fixtures.lake.reflake import D3, METRICS, write_reference_lake
from titlevideo.config import Rules
from titlevideo.warehouse.build import build_warehouse

pytestmark = pytest.mark.unit

#: Title 1003's only video is A11, seen only on D3: three one-view rows whose double sum depends on
#: the order they are added in (0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1).
WORK = 1003
A11_ROWS = [
    metric("A11", "YOUTUBE", "US", 1, completion_rate=0.1),
    metric("A11", "YOUTUBE", "GB", 1, completion_rate=0.2),
    metric("A11", "WEBSITE", "US", 1, completion_rate=0.3),
]

RATES = {
    "title": f"select completion_rate from marts.mart_title_performance where work_id = {WORK}",
    "channel": "select channel, completion_rate from marts.mart_title_channel_performance "
    f"where work_id = {WORK} order by channel",
    "season": "select season_name, completion_rate from marts.mart_season_performance order by 1",
    "imprint": "select imprint_name, completion_rate from marts.mart_imprint_performance order by 1",
}


def _build(tmp_path_factory, rows):
    ref = write_reference_lake(tmp_path_factory.mktemp("lake"))
    other = [r for r in METRICS[D3] if r["asset_id"] != "A11"]
    ref.builder.metrics(D3, ts(f"{D3.isoformat()}T23:30"), rows + other)
    sql = warehouse_sql(tmp_path_factory.mktemp("sql"))
    build_warehouse(ref.builder.lake, day=D3, rules=Rules(), sql_root=sql)
    con = duckdb.connect(str(ref.builder.lake.warehouse), read_only=True)
    try:
        return {name: con.execute(q).fetchall() for name, q in RATES.items()}
    finally:
        con.close()


def test_completion_rates_do_not_depend_on_the_order_rows_are_summed_in(tmp_path_factory):
    products = [r["views"] * r["completion_rate"] for r in A11_ROWS]
    # the fixture is order-sensitive for a double sum, else this test could not fail
    assert sum(products) != sum(reversed(products))
    forward = _build(tmp_path_factory, A11_ROWS)
    backward = _build(tmp_path_factory, list(reversed(A11_ROWS)))
    assert forward == backward
    assert forward["title"][0][0] == pytest.approx(0.6 / 3)
    assert dict(forward["channel"]) == pytest.approx({"YOUTUBE": 0.3 / 2, "WEBSITE": 0.3})
