"""In ByteNite's protobuf-based API an empty repeated field is the same as an unset one: a list
filter sent as ``[]`` filters nothing (issue 16, defect 6; a public logs client sends exactly
``{"taskIds": [], "levels": [], "services": []}``)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from bytenite_helpers import CUSTOMER, TODAY, Emulator

pytestmark = pytest.mark.integration

VIDEO = "video-transcoding@v0.2"


def test_logs_with_empty_filters_are_all_the_logs(bn: Emulator) -> None:
    job = bn.ok("POST", f"{CUSTOMER}/jobs", json={"templateId": VIDEO, "name": "logged job"})["job"]
    bn.ok("POST", f"{CUSTOMER}/jobs/{job['id']}/run")
    deadline = time.monotonic() + 10
    while (state := bn.ok("GET", f"{CUSTOMER}/jobs/{job['id']}")["job"]["state"]) != (
        "JOB_STATE_COMPLETE"
    ) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state == "JOB_STATE_COMPLETE"
    unfiltered = bn.ok("POST", f"{CUSTOMER}/logs", json={"jobId": job["id"]})
    assert unfiltered["partitioner"] and unfiltered["assembler"] and unfiltered["taskrunner"]
    empty = bn.ok(
        "POST",
        f"{CUSTOMER}/logs",
        json={"jobId": job["id"], "taskIds": [], "levels": [], "services": []},
    )
    assert empty == unfiltered
    one_task = next(iter(unfiltered["taskrunner"]))
    some = bn.ok(
        "POST",
        f"{CUSTOMER}/logs",
        json={"jobId": job["id"], "taskIds": [one_task], "levels": [], "services": ["taskrunner"]},
    )
    assert some == {
        "partitioner": [],
        "assembler": [],
        "taskrunner": {one_task: unfiltered["taskrunner"][one_task]},
    }


def test_job_filter_with_empty_lists_is_every_job(bn: Emulator) -> None:
    everything = bn.ok("POST", f"{CUSTOMER}/jobs/filter", json={"orderBy": "createdAt"})
    empty = bn.ok(
        "POST",
        f"{CUSTOMER}/jobs/filter",
        json={"states": [], "templateIds": [], "orderBy": "createdAt"},
    )
    assert empty == everything and everything["pagination"]["total"] > 0


def test_daily_analytics_with_empty_lists_are_every_row(bn: Emulator) -> None:
    day = TODAY - timedelta(days=1)
    rows = bn.daily(day)
    assert rows
    assert bn.daily(day, assetIds=[], channels=[], countries=[]) == rows
