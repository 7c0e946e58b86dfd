"""The extraction's performance paths give exactly what the plain paths give.

* ``metrics_table`` (column-wise metrics) equals ``contract.check`` + ``norm_metric`` +
  ``Table.from_pylist`` on a valid page, and declines (None, ``seen`` untouched) every page the
  record-by-record path would treat differently;
* ``prefetch`` yields the same items in order, raises the producer's error after the items
  before it, and stops its producer when the consumer leaves early;
* ``PartitionWriter`` writes the same file whether fed dicts, Arrow tables or both.
"""

from __future__ import annotations

import copy
import threading
import time
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from titlevideo.contract import Contract
from titlevideo.extract.bytenite_records import METRIC_CONTRACT, metrics_table, norm_metric
from titlevideo.lake import PartitionWriter
from titlevideo.schemas import BYTENITE_DAILY_METRICS
from titlevideo.transport import prefetch

pytestmark = pytest.mark.unit

DAY = date(2026, 8, 12)
AT = datetime(2026, 9, 1, 6, 30, 15, 123456, tzinfo=UTC)


def _page(n: int = 50) -> list[dict]:
    channels = [
        "PLACEMENT_CHANNEL_YOUTUBE",
        "PLACEMENT_CHANNEL_TIKTOK",
        "PLACEMENT_CHANNEL_WEBSITE",
    ]
    countries = ["GB", "US", "ZZ", "DE"]
    page = []
    for i in range(n):
        views = 1 + i % 7
        page.append(
            {
                "date": DAY.isoformat(),
                "assetId": f"00000000-0000-5000-8000-{i:012d}",
                "channel": channels[i % 3],
                "country": countries[i % 4],
                "views": str(views),
                "uniqueViewers": str(max(1, views - 1)),
                "watchTimeSeconds": str(30 * views),
                "likes": str(i % 2),
                "comments": "0",
                "shares": "1",
                "avgViewDurationSeconds": 30.5 if i % 3 else 30,
                "completionRate": (i % 10) / 10,
                "engagementRate": 0.25,
            }
        )
    return page


def _slow(page: list[dict]) -> pa.Table:
    contract = Contract("daily_metrics", METRIC_CONTRACT, key="assetId")
    for record in page:
        contract.check(record)
    rows = [norm_metric(r, AT, {"day": DAY}) for r in page]
    return pa.Table.from_pylist(rows, schema=BYTENITE_DAILY_METRICS.schema)


def test_metrics_table_equals_the_record_by_record_path():
    page = _page()
    seen: set = set()
    table = metrics_table(page, AT, {"day": DAY}, seen)
    assert table is not None
    assert table.equals(_slow(page))
    assert len(seen) == len(page)


def test_metrics_table_accepts_integers_sent_as_numbers():
    page = _page()
    for r in page:
        r["views"] = int(r["views"])
    table = metrics_table(page, AT, {"day": DAY}, set())
    assert table is not None and table.equals(_slow(page))


@pytest.mark.parametrize(
    "spoil",
    [
        lambda p: p[3].update(views="-1"),
        lambda p: p[3].update(views="1.5"),
        lambda p: p[3].update(views=None),
        lambda p: p[3].update(views=True),
        lambda p: p[3].update(likes=2),  # a column mixing strings and numbers
        lambda p: p[3].update(country="XX"),
        lambda p: p[3].update(channel="PLACEMENT_CHANNEL_MYSPACE"),
        lambda p: p[3].update(date="2026-08-11"),
        lambda p: p[3].update(date="20260812"),  # the same day, spelled differently
        lambda p: p[3].update(completionRate=1.2),
        lambda p: p[3].update(engagementRate=float("nan")),
        lambda p: p[3].update(avgViewDurationSeconds="30"),
        lambda p: p[3].update(uniqueViewers=str(int(p[3]["views"]) + 1)),
        lambda p: p[3].update(newField=1),  # drift
        lambda p: p[3].pop("shares"),  # missing field
        lambda p: p.append(dict(p[0])),  # duplicate key
        lambda p: p.append("not an object"),
    ],
)
def test_metrics_table_declines_pages_the_plain_path_treats_differently(spoil):
    page = _page()
    spoil(page)
    seen: set = {("sentinel",)}
    assert metrics_table(page, AT, {"day": DAY}, seen) is None
    assert seen == {("sentinel",)}


def test_metrics_table_declines_a_key_seen_on_an_earlier_page():
    page = _page()
    seen: set = set()
    assert metrics_table(copy.deepcopy(page[:10]), AT, {"day": DAY}, seen) is not None
    before = set(seen)
    assert metrics_table(page, AT, {"day": DAY}, seen) is None
    assert seen == before


def test_prefetch_yields_in_order_then_raises_the_producers_error():
    def pages():
        yield from range(5)
        raise RuntimeError("page 6 failed")

    got = []
    with pytest.raises(RuntimeError, match="page 6 failed"):
        for item in prefetch(pages()):
            got.append(item)
    assert got == [0, 1, 2, 3, 4]


def test_prefetch_stops_its_producer_when_the_consumer_leaves():
    produced = []
    closed = threading.Event()

    def pages():
        try:
            for i in range(1000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    for item in prefetch(pages(), depth=1):
        if item == 2:
            break
    assert closed.wait(5)
    time.sleep(0.3)
    assert len(produced) <= 5


def test_partition_writer_same_file_from_dicts_tables_or_both(tmp_path):
    rows = [norm_metric(r, AT, {"day": DAY}) for r in _page(300)]
    schema = BYTENITE_DAILY_METRICS.schema
    tables = []
    for n, feed in enumerate(("dicts", "tables", "mixed")):
        directory = tmp_path / feed
        with PartitionWriter(directory, schema, row_group_size=128) as writer:
            for i in range(0, len(rows), 50):
                chunk = rows[i : i + 50]
                if feed == "dicts" or (feed == "mixed" and (i // 50) % 2):
                    writer.write(chunk)
                else:
                    writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            writer.commit()
        tables.append(pq.read_table(directory / "data.parquet"))
        assert tables[-1].num_rows == len(rows), n
    assert tables[0].equals(tables[1]) and tables[0].equals(tables[2])
