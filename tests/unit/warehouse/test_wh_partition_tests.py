"""Key tests of an incremental model in an incremental build read only the reloaded partitions.

A carried-over partition passed the key tests in the build that loaded it; reading it again is
the most expensive test of a build (the fact table's key over every metric date). Restricted to
the reloaded dates, the tests still catch what those dates break, and only that.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import duckdb
import pytest

from titlevideo.config import SQL_ROOT
from titlevideo.warehouse import seeds
from titlevideo.warehouse.checks import compile_tests, run_tests
from titlevideo.warehouse.models import discover

pytestmark = pytest.mark.unit

D1, D2 = date(2026, 8, 1), date(2026, 8, 2)


@pytest.fixture
def fct():
    models = discover(extra_names=seeds.names(SQL_ROOT))
    fct = next(m for m in models if m.name == "fct_video_daily")
    # its key and partitioning as declared; column tests (relationships) need the whole build
    model = dataclasses.replace(fct, columns={}, custom_tests=())
    con = duckdb.connect()
    con.execute(f"create schema {model.schema}")
    con.execute(
        f"create table {model.qualified} (metric_date date, asset_id varchar, channel varchar, country varchar)"
    )
    # a duplicate key on D1 (a carried-over date) and a null key on D1
    con.execute(
        f"insert into {model.qualified} values (?, 'a', 'YOUTUBE', 'GB'), (?, 'a', 'YOUTUBE', 'GB'), "
        "(?, null, 'YOUTUBE', 'GB'), (?, 'a', 'YOUTUBE', 'GB')",
        [D1, D1, D1, D2],
    )
    return model, con


def _failures(con, model, reloaded):
    tests = [
        t
        for t in compile_tests(
            model, ["metric_date", "asset_id", "channel", "country"], {}, reloaded=reloaded
        )
        if t.name.startswith("key_")
    ]
    return {r.name: r.failures for r in run_tests(con, tests)}


def test_whole_table_without_reloaded_dates(fct):
    model, con = fct
    got = _failures(con, model, None)
    assert got["key_unique__metric_date__asset_id__channel__country"] == 1
    assert got["key_not_null__asset_id"] == 1


def test_only_the_reloaded_dates(fct):
    model, con = fct
    assert set(_failures(con, model, [D2]).values()) == {0}
    got = _failures(con, model, [D1])
    assert got["key_unique__metric_date__asset_id__channel__country"] == 1
    assert got["key_not_null__asset_id"] == 1
    assert set(_failures(con, model, []).values()) == {0}
