"""Analysts' read-only connections survive builds: no lock error, never a half-built warehouse."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from datetime import date

import duckdb
import pytest

from tests.fixtures.lake.lakebuilder import metric, ts, warehouse_sql
from tests.fixtures.lake.reflake import METRICS, write_reference_lake
from titlevideo.config import Rules
from titlevideo.warehouse.build import build_warehouse

pytestmark = pytest.mark.unit

# Reads the warehouse in a loop on ONE read-only connection until told to stop, then once more
# on a NEW connection; prints what it saw as JSON. Each read is one consistent picture: the fact
# rows and views, the titles, and the build's own record of its fact rows.
READER = textwrap.dedent(
    """
    import json, os, sys, time
    import duckdb

    path, ready, stop = sys.argv[1:4]
    QUERY = '''
        select
            (select count(*) from marts.fct_video_daily),
            (select sum(views) from marts.fct_video_daily),
            (select count(*) from marts.dim_title),
            (select rows from meta.model_runs where model = 'fct_video_daily'),
            (select mode from meta.build_info)
    '''
    seen, errors, reads = set(), [], 0
    con = duckdb.connect(path, read_only=True)
    open(ready, "w").close()
    while not os.path.exists(stop):
        try:
            seen.add(json.dumps(con.execute(QUERY).fetchone(), default=str))
            reads += 1
        except Exception as exc:  # any error is a failure of the design
            errors.append(repr(exc))
        time.sleep(0.005)
    try:
        seen.add(json.dumps(con.execute(QUERY).fetchone(), default=str))
    except Exception as exc:
        errors.append(repr(exc))
    con.close()
    fresh = duckdb.connect(path, read_only=True)
    after = json.dumps(fresh.execute(QUERY).fetchone(), default=str)
    fresh.close()
    print(json.dumps({"seen": sorted(seen), "errors": errors, "reads": reads, "after": after}))
    """
)


def test_a_read_only_connection_held_through_a_build_sees_the_old_snapshot_then_the_new(tmp_path):
    ref = write_reference_lake(tmp_path / "lake")
    sql = warehouse_sql(tmp_path)
    lake = ref.builder.lake
    build_warehouse(lake, rules=Rules(), validate=None, sql_root=sql)
    old_rows = sum(len(v) for v in METRICS.values())
    old_views = sum(m["views"] for v in METRICS.values() for m in v)
    old = json.dumps([old_rows, old_views, 6, old_rows, "full"])

    ready, stop = tmp_path / "ready", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(lake.warehouse), str(ready), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(600):
            if ready.exists() or reader.poll() is not None:
                break
            time.sleep(0.05)
        assert ready.exists(), (
            reader.stderr.read() if reader.poll() is not None else "reader never got ready"
        )
        # a new metric date arrives; the build runs (incremental: it attaches the old file
        # read-only beside the reader) and swaps a new file in while the reader keeps reading
        ref.builder.metrics(
            date(2026, 3, 4), ts("2026-03-05T01:00"), [metric("A1", "YOUTUBE", "GB", 1000)]
        )
        result = build_warehouse(lake, rules=Rules(), validate=None, sql_root=sql)
        assert result.plan.mode == "incremental"
        # and a full rebuild too
        result = build_warehouse(
            lake, rules=Rules(), validate=None, sql_root=sql, full_rebuild=True
        )
        stop.touch()
        out, err = reader.communicate(timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, err
    report = json.loads(out)
    assert report["errors"] == []
    assert report["reads"] > 10
    assert report["seen"] == [old]  # only the complete old build, never anything in between
    assert report["after"] == json.dumps([old_rows + 1, old_views + 1000, 6, old_rows + 1, "full"])
    # and the stable path now holds the new build for everyone
    con = duckdb.connect(str(lake.warehouse), read_only=True)
    assert con.execute("select count(*) from marts.fct_video_daily").fetchone() == (old_rows + 1,)
    con.close()
