"""marts.mart_launch_readiness on the readiness lake: which titles, which deliverables, what
state, what risk. The expected rows are written out by hand in tests/fixtures/lake/readiness_lake.py
from the business rules, not read from the SQL.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.fixtures.lake.lakebuilder import warehouse_sql
from tests.fixtures.lake.readiness_lake import (
    AS_OF,
    EXPECTED,
    TITLES,
    day,
    write_readiness_lake,
)
from titlevideo.config import Rules
from titlevideo.warehouse.build import build_warehouse
from titlevideo.warehouse.meta import ModelTestFailure

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    b = write_readiness_lake(tmp_path_factory.mktemp("lake"))
    build_warehouse(
        b.lake, day=AS_OF, rules=Rules(), sql_root=warehouse_sql(tmp_path_factory.mktemp("sql"))
    )
    c = duckdb.connect(str(b.lake.warehouse), read_only=True)
    yield c
    c.close()


def test_one_row_per_title_in_the_window_and_required_deliverable(con):
    got = con.execute(
        "select work_id, deliverable_type, product_id from marts.mart_launch_readiness"
    ).fetchall()
    assert sorted(got, key=str) == sorted(EXPECTED, key=str)


def test_states_channels_and_risks(con):
    got = {
        (w, d, p): (state, list(channels), blocked, risk)
        for w, d, p, state, channels, blocked, risk, at_risk in con.execute(
            """select work_id, deliverable_type, product_id, state, channels, blocked_reason,
                      risk_reason, at_risk
               from marts.mart_launch_readiness"""
        ).fetchall()
        if at_risk == (risk is not None)
    }
    assert got == EXPECTED


def test_days_to_publication_and_as_of(con):
    got = dict(
        con.execute(
            "select distinct work_id, days_to_publication from marts.mart_launch_readiness"
        ).fetchall()
    )
    assert got == {w: TITLES[w][1] for w in (1, 2, 3, 6, 7)}
    assert con.execute(
        "select distinct as_of_date from marts.mart_launch_readiness"
    ).fetchall() == [(AS_OF,)]


def test_missing_channels_are_the_rules_channels_not_placed(con):
    got = con.execute(
        """select channels_missing from marts.mart_launch_readiness
           where work_id = 1 and deliverable_type = 'TRAILER'"""
    ).fetchall()
    # rules: TRAILER on WEBSITE, RETAILER, YOUTUBE, CAMPAIGN_LANDING; placed on WEBSITE and YOUTUBE
    assert got == [(["CAMPAIGN_LANDING", "RETAILER"],)]


@pytest.mark.parametrize("mart", ["mart_launch_readiness", "mart_launch_window"])
def test_a_mart_emptied_while_its_inputs_have_rows_fails_the_build(tmp_path, mart):
    """The row-count rule (not_empty_when): the same lake, the mart's SQL broken to give no row
    (as a wrong join or window would); the build stops on that rule and keeps no warehouse."""
    b = write_readiness_lake(tmp_path / "lake")
    sql = warehouse_sql(tmp_path / "sql")
    model = sql / "models" / "marts" / f"{mart}.sql"
    model.write_text(f"select * from (\n{model.read_text()}\n) as broken where false\n")
    with pytest.raises(ModelTestFailure, match=rf"{mart}\.not_empty_when"):
        build_warehouse(b.lake, day=AS_OF, rules=Rules(), validate=None, sql_root=sql)
    assert not b.lake.warehouse.exists()


def test_an_older_day_extracted_last_gives_its_state_but_not_its_day(tmp_path):
    """A backfill of an old day run today, or a catch-up day whose extraction a killed worker left
    to be retried after the following days, is the snapshot extracted last: the current state of
    jobs, assets and placements. Readiness still counts from the latest day extracted (AS_OF), not
    from that older day; counting from it would move every title's window back in time."""
    older = day(-5)
    b = write_readiness_lake(tmp_path / "lake", older_day_extracted_last=older)
    build_warehouse(b.lake, day=AS_OF, rules=Rules(), sql_root=warehouse_sql(tmp_path / "sql"))
    with duckdb.connect(str(b.lake.warehouse), read_only=True) as c:
        assert c.execute(
            "select distinct snapshot_on from staging.stg_bytenite__assets"
        ).fetchall() == [(older,)]
        assert c.execute(
            "select distinct as_of_date from marts.mart_launch_readiness"
        ).fetchall() == [(AS_OF,)]
        got = dict(
            c.execute(
                "select distinct work_id, days_to_publication from marts.mart_launch_readiness"
            ).fetchall()
        )
        assert got == {w: TITLES[w][1] for w in (1, 2, 3, 6, 7)}
        assert sorted(
            c.execute(
                "select work_id, deliverable_type, product_id from marts.mart_launch_readiness"
            ).fetchall(),
            key=str,
        ) == sorted(EXPECTED, key=str)
