"""Two writers of one partition at once (two first runs of a deployment catching up the same
history days): neither removes the other's temp file, both commit, and the partition is one
whole file. A temp file nobody holds (a killed writer's) is still removed by the next writer."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from titlevideo.lake import DATA_FILE, TMP_MARK, PartitionWriter

pytestmark = pytest.mark.unit

SCHEMA = pa.schema([("n", pa.int64())])


def _temps(directory):
    return sorted(p.name for p in directory.glob(f".*{TMP_MARK}*"))


def test_a_live_writers_temp_file_survives_a_second_writer(tmp_path):
    first = PartitionWriter(tmp_path, SCHEMA)
    second = PartitionWriter(tmp_path, SCHEMA)
    with first:
        first.write([{"n": 1}, {"n": 2}])
        with second:
            assert _temps(tmp_path) == sorted([first.tmp.name, second.tmp.name])
            second.write([{"n": 3}])
            second.commit()
        first.commit()  # failed with FileNotFoundError when the second writer removed its temp
    assert pq.read_table(tmp_path / DATA_FILE).column("n").to_pylist() == [1, 2]
    assert _temps(tmp_path) == []


def _write_and_hang(directory, ready):
    writer = PartitionWriter(directory, SCHEMA)
    writer.__enter__()
    writer.write([{"n": 9}])
    ready.set()
    signal.pause()


def test_a_killed_writers_temp_file_is_removed_by_the_next(tmp_path):
    ready = multiprocessing.get_context("fork").Event()
    proc = multiprocessing.get_context("fork").Process(
        target=_write_and_hang, args=(tmp_path, ready)
    )
    proc.start()
    assert ready.wait(60)
    left = _temps(tmp_path)
    assert len(left) == 1
    # while it lives, a second writer leaves its temp file alone
    with PartitionWriter(tmp_path, SCHEMA) as writer:
        assert left[0] in _temps(tmp_path)
        writer.write([{"n": 5}])
        writer.commit()
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(60)
    assert _temps(tmp_path) == left
    with PartitionWriter(tmp_path, SCHEMA) as writer:
        assert _temps(tmp_path) == [writer.tmp.name]
        writer.write([{"n": 7}])
        writer.commit()
    assert _temps(tmp_path) == []
    assert pq.read_table(tmp_path / DATA_FILE).column("n").to_pylist() == [7]
