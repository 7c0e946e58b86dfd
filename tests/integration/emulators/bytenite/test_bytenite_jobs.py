"""Jobs: ByteNite's public guide flow, create/update/patch/run/abort/delete, results, lists."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
import requests
from bytenite_helpers import CUSTOMER, TODAY, Emulator

from emulators.bytenite import DEFAULT_API_KEY

pytestmark = pytest.mark.integration

TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
VIDEO = "video-transcoding@v0.2"
RUN_ORDER = [
    "JOB_STATE_NEW",
    "JOB_STATE_READY",
    "JOB_STATE_PARTITIONING",
    "JOB_STATE_RUNNING",
    "JOB_STATE_ASSEMBLING",
    "JOB_STATE_COMPLETE",
]


def wait_for(emu: Emulator, job_id: str, states: set[str], timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = emu.ok("GET", f"{CUSTOMER}/jobs/{job_id}")["job"]
        if job["state"] in states:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.02)


def new_job(emu: Emulator, **body: Any) -> dict[str, Any]:
    return emu.ok("POST", f"{CUSTOMER}/jobs", json={"templateId": VIDEO, **body})["job"]


def test_public_guide_job_flow(bn: Emulator) -> None:
    """ByteNite's "start a job" guide, step by step, as it writes it (raw token, plain requests)."""
    api_key = DEFAULT_API_KEY
    base_url = f"{bn.url}/v1"

    # 1. Get an access token
    response = requests.post(f"{base_url}/auth/access_token", json={"apiKey": api_key}, timeout=10)
    access_token = response.json()["token"]
    headers = {"Authorization": access_token}

    # 2. Create a job from a template
    payload = {"templateId": VIDEO, "name": "Guide video job", "description": "Transcode a sample"}
    response = requests.post(f"{base_url}/customer/jobs", json=payload, headers=headers, timeout=10)
    job_id = response.json()["job"]["id"]
    assert response.json()["job"]["state"] == "JOB_STATE_NEW"

    # 3. Set the data source and destination
    data_source = {
        "dataSource": {
            "dataSourceDescriptor": "url",
            "params": {
                "@type": "type.googleapis.com/bytenite.data_source.HttpDataSource",
                "url": "https://storage.example/video-test-public/input/sample.mp4",
            },
        },
        "dataDestination": {"dataSourceDescriptor": "bucket"},
    }
    response = requests.patch(
        f"{base_url}/customer/jobs/{job_id}/datasource",
        json=data_source,
        headers=headers,
        timeout=10,
    )
    assert response.status_code == 200

    # 4. Set the parameters
    params = {"partitioner": {}, "app": {}, "assembler": {}}
    response = requests.patch(
        f"{base_url}/customer/jobs/{job_id}/params", json=params, headers=headers, timeout=10
    )
    assert response.status_code == 200

    # 5. Run the job
    run = {"taskTimeout": 3600, "jobTimeout": 84200, "isTestJob": False}
    response = requests.post(
        f"{base_url}/customer/jobs/{job_id}/run", json=run, headers=headers, timeout=10
    )
    assert response.json()["ok"] is True

    # 6. Poll until the job is complete
    seen = []
    while True:
        response = requests.get(f"{base_url}/customer/jobs/{job_id}", headers=headers, timeout=10)
        state = response.json()["job"]["state"]
        if not seen or seen[-1] != state:
            seen.append(state)
        if state == "JOB_STATE_COMPLETE":
            break
        time.sleep(0.01)

    # 7. Get the results
    response = requests.get(
        f"{base_url}/customer/jobs/{job_id}/results", headers=headers, timeout=10
    )
    results = response.json()["results"]
    downloads = [requests.get(r["link"], timeout=10) for r in results]

    assert [r["name"] for r in results] == [
        "out_0/guide-video-job_1080p.mp4",
        "out_1/guide-video-job_720p.mp4",
        "out_2/guide-video-job_poster.png",
    ]
    assert [d.status_code for d in downloads] == [200, 200, 200]
    assert [d.headers["content-type"] for d in downloads] == ["video/mp4", "video/mp4", "image/png"]
    poster = downloads[2].content  # a real PNG: signature, then IHDR with 16 x 9 pixels
    assert poster[:8] == b"\x89PNG\r\n\x1a\n" and poster[12:16] == b"IHDR"
    assert int.from_bytes(poster[16:20], "big") == 16 and int.from_bytes(poster[20:24], "big") == 9
    assert seen == [s for s in RUN_ORDER[1:] if s in seen]  # states only move forward
    job = response_job = requests.get(
        f"{base_url}/customer/jobs/{job_id}", headers=headers, timeout=10
    ).json()["job"]
    assert list(job["stateTimestamps"]) == RUN_ORDER
    stamps = [job["stateTimestamps"][s] for s in RUN_ORDER]
    assert stamps == sorted(stamps)
    assert all(TS.match(s) for s in stamps)
    assert response_job["config"] == {
        "taskTimeout": "3600",
        "jobTimeout": "84200",
        "isTestJob": False,
    }
    assert job["dataSource"]["dataSourceDescriptor"] == "url"
    assert job["dataDestination"] == {"dataSourceDescriptor": "bucket", "params": None}
    assert job["startedAt"] == job["stateTimestamps"]["JOB_STATE_PARTITIONING"]
    assert job["endedAt"] == job["stateTimestamps"]["JOB_STATE_COMPLETE"]
    assert job["submittedAt"] == job["stateTimestamps"]["JOB_STATE_READY"]
    assert int(job["numChunks"]) >= 1 and int(job["paymentAmount"]) >= 1
    assert job["duration"] == pytest.approx(0.15, abs=1e-6)  # three 0.05 s steps from startedAt


def test_job_wire_habits(bn: Emulator) -> None:
    r = bn.call("POST", f"{CUSTOMER}/jobs", json={"templateId": "hello-world-template"})
    body = r.json()
    job = body["job"]
    assert uuid.UUID(job["id"]).version == 4
    for key in (
        "name",
        "description",
        "startAt",
        "submittedAt",
        "startedAt",
        "endedAt",
        "regions",
        "dataSource",
        "dataDestination",
        "params",
        "duration",
        "deletedAt",
        "paymentAmount",
        "numUnitsEstimation",
        "numChunks",
        "errorMessage",
    ):
        assert job[key] is None, key
    assert job["config"] == {"taskTimeout": None, "jobTimeout": None, "isTestJob": None}
    assert job["labels"] == {}
    assert TS.match(job["createdAt"])
    assert job["createdAt"].startswith(TODAY.isoformat())
    assert body["templateInfo"] == {
        "id": "hello-world-template",
        "owner": "bytenite",
        "description": "The onboarding template: one task that writes a greeting",
        "app": "hello-world@1",
        "partitioner": "replicate-fanout",
        "assembler": "zipper",
    }
    # int64 inputs accepted as numbers or strings, always written as strings
    job = new_job(bn, config={"taskTimeout": 60, "jobTimeout": "7200", "isTestJob": True})
    assert job["config"] == {"taskTimeout": "60", "jobTimeout": "7200", "isTestJob": True}


def test_create_with_caller_id_and_update_while_new(bn: Emulator) -> None:
    job_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "pipeline-job-1"))
    labels = {"isbn13": "9781900000107", "deliverableType": "DELIVERABLE_TYPE_TRAILER"}
    first = new_job(bn, jobId=job_id, name="first", labels=labels)
    assert first["id"] == job_id
    again = new_job(bn, jobId=job_id, name="second")
    assert again["id"] == job_id
    assert again["name"] == "second"
    assert again["labels"] == labels  # absent fields keep their values
    assert again["createdAt"] == first["createdAt"]
    listed = bn.ok(
        "GET", f"{CUSTOMER}/jobs", params={"orderBy": "-createdAt", "pagination.limit": 1}
    )
    assert [j["id"] for j in listed["data"]] == [job_id]
    # once it has run, the id cannot be re-created: 409 ALREADY_EXISTS
    bn.ok("POST", f"{CUSTOMER}/jobs/{job_id}/run")
    r = bn.call("POST", f"{CUSTOMER}/jobs", json={"templateId": VIDEO, "jobId": job_id})
    assert r.status_code == 409
    assert r.json()["code"] == 6
    ops = [(w["operation"], w["outcome"], w["status"]) for w in bn.writes()]
    assert ops == [
        ("jobs.create", "ok", 200),
        ("jobs.create", "ok", 200),
        ("jobs.run", "ok", 200),
        ("jobs.create", "error", 409),
    ]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, 3),
        ({"templateId": ""}, 400, 3),
        ({"templateId": 7}, 400, 3),
        ({"templateId": "no-such-template"}, 404, 5),
        ({"templateId": VIDEO, "jobId": "not-a-uuid"}, 400, 3),
        ({"templateId": VIDEO, "config": {"jobTimeout": "ten"}}, 400, 3),
        ({"templateId": VIDEO, "config": {"jobTimeout": -1}}, 400, 3),
        ({"templateId": VIDEO, "labels": {"deliverableType": "TRAILER"}}, 400, 3),
        ({"templateId": VIDEO, "labels": {"isbn13": 9781900000107}}, 400, 3),
        ({"templateId": VIDEO, "dataSource": {"dataSourceDescriptor": "bucket"}}, 400, 3),
        (
            {"templateId": VIDEO, "dataSource": {"dataSourceDescriptor": "url", "params": {}}},
            400,
            3,
        ),
        (
            {
                "templateId": VIDEO,
                "dataDestination": {
                    "dataSourceDescriptor": "url",
                    "params": {"url": "https://x.example/a"},
                },
            },
            400,
            3,
        ),
        ({"templateId": VIDEO, "startAt": "2026-11-27"}, 400, 3),
        ({"templateId": VIDEO, "params": {"app": {"metadata": {"title": 5}}}}, 400, 3),
    ],
)
def test_create_errors(bn: Emulator, body: dict, status: int, code: int) -> None:
    r = bn.call("POST", f"{CUSTOMER}/jobs", json=body)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    assert r.json()["details"] == []


def test_create_legacy_job_id_conflicts(bn: Emulator, world) -> None:
    legacy = next(v for i in range(world.n_works) for v in world.legacy_videos(i))
    r = bn.call("POST", f"{CUSTOMER}/jobs", json={"templateId": VIDEO, "jobId": legacy.job_id})
    assert r.status_code == 409
    assert r.json()["code"] == 6


def test_patches_only_while_new(bn: Emulator) -> None:
    job = new_job(bn, name="patch me")
    jid = job["id"]
    assert (
        bn.ok("PATCH", f"{CUSTOMER}/jobs/{jid}/jobname", json={"name": "renamed"})["job"]["name"]
        == "renamed"
    )
    cfg = bn.ok("PATCH", f"{CUSTOMER}/jobs/{jid}/configs", json={"config": {"taskTimeout": "30"}})[
        "job"
    ]["config"]
    assert cfg == {"taskTimeout": "30", "jobTimeout": None, "isTestJob": None}
    cfg = bn.ok("PATCH", f"{CUSTOMER}/jobs/{jid}/configs", json={"isTestJob": True})["job"][
        "config"
    ]
    assert cfg == {"taskTimeout": "30", "jobTimeout": None, "isTestJob": True}
    params = {"preset": "unpackaged", "app": {"metadata": {"title": "T"}}}
    assert bn.ok("PATCH", f"{CUSTOMER}/jobs/{jid}/params", json=params)["job"]["params"] == params
    ds = {
        "dataSource": {
            "dataSourceDescriptor": "s3",
            "params": {"bucketName": "masters", "cloudRegion": "eu-west-2"},
        }
    }
    assert (
        bn.ok("PATCH", f"{CUSTOMER}/jobs/{jid}/datasource", json=ds)["job"]["dataSource"]
        == ds["dataSource"]
    )
    assert bn.call("PATCH", f"{CUSTOMER}/jobs/{jid}/datasource", json={}).status_code == 400
    assert bn.call("PATCH", f"{CUSTOMER}/jobs/{jid}/jobname", json={}).status_code == 400
    assert bn.call("PATCH", f"{CUSTOMER}/jobs/{jid}/params", json={"app": []}).status_code == 400
    bn.ok("POST", f"{CUSTOMER}/jobs/{jid}/run", json={})
    for what, body in (
        ("jobname", {"name": "x"}),
        ("configs", {}),
        ("params", {}),
        ("datasource", ds),
    ):
        r = bn.call("PATCH", f"{CUSTOMER}/jobs/{jid}/{what}", json=body)
        assert r.status_code == 400, what
        assert r.json()["code"] == 9
    r = bn.call("PATCH", f"{CUSTOMER}/jobs/{uuid.uuid4()}/jobname", json={"name": "x"})
    assert (r.status_code, r.json()["code"]) == (404, 5)


@pytest.mark.parametrize(
    ("path", "kwargs", "config"),
    [
        (
            "{id}/run",
            {"json": {"taskTimeout": "10", "jobTimeout": 20, "isTestJob": True}},
            {"taskTimeout": "10", "jobTimeout": "20", "isTestJob": True},
        ),
        (
            "{id}/run",
            {
                "json": {
                    "config": {"taskTimeout": "3600", "jobTimeout": "84200", "isTestJob": False}
                }
            },
            {"taskTimeout": "3600", "jobTimeout": "84200", "isTestJob": False},
        ),
        ("{id}/run", {"json": {}}, {"taskTimeout": None, "jobTimeout": None, "isTestJob": None}),
        ("{id}/run", {}, {"taskTimeout": None, "jobTimeout": None, "isTestJob": None}),
        ("run/{id}", {}, {"taskTimeout": None, "jobTimeout": None, "isTestJob": None}),
    ],
    ids=["flat", "nested", "empty-object", "no-body", "legacy-path"],
)
def test_run_body_forms(bn: Emulator, path: str, kwargs: dict, config: dict) -> None:
    jid = new_job(bn, name="runner")["id"]
    r = bn.call("POST", f"{CUSTOMER}/jobs/" + path.format(id=jid), **kwargs)
    assert r.status_code == 200
    assert r.json()["ok"] is True and r.json()["error"] is None
    job = wait_for(bn, jid, {"JOB_STATE_COMPLETE"})
    assert job["config"] == config


def test_run_errors(bn: Emulator) -> None:
    jid = new_job(bn)["id"]
    bn.ok("POST", f"{CUSTOMER}/jobs/{jid}/run")
    r = bn.call("POST", f"{CUSTOMER}/jobs/{jid}/run")
    assert r.status_code == 400
    body = r.json()
    assert body["ok"] is False
    assert body["error"] == {
        "code": "400",
        "message": "Bad Request",
        "description": body["message"],
    }
    assert "only a JOB_STATE_NEW job can be run" in body["message"]
    r = bn.call("POST", f"{CUSTOMER}/jobs/{uuid.uuid4()}/run")
    assert (r.status_code, r.json()["ok"], r.json()["error"]["code"]) == (404, False, "404")
    r = bn.call("POST", f"{CUSTOMER}/jobs/{jid}/run", data=b"[1]")
    assert r.status_code == 400


def test_fail_in_name(bn: Emulator) -> None:
    jid = new_job(bn, name="please FAIL this")["id"]
    bn.ok("POST", f"{CUSTOMER}/jobs/{jid}/run")
    job = wait_for(bn, jid, {"JOB_STATE_FAILED", "JOB_STATE_COMPLETE"})
    assert job["state"] == "JOB_STATE_FAILED"
    assert job["errorMessage"] == "task 0 failed: exit status 1"
    assert list(job["stateTimestamps"]) == RUN_ORDER[:4] + ["JOB_STATE_FAILED"]
    assert bn.ok("GET", f"{CUSTOMER}/jobs/{jid}/results") == {"results": []}
    assert bn.ok("GET", f"{CUSTOMER}/jobs/{jid}/assets") == {"assets": []}
    logs = bn.ok("POST", f"{CUSTOMER}/logs", json={"jobId": jid, "levels": ["ERROR"]})
    errors = [ln["log"] for t in logs["taskrunner"].values() for ln in t["logs"]]
    assert errors == ["task 0 failed: exit status 1"]


@pytest.fixture(scope="module")
def slow(start_emulator) -> Emulator:
    """An emulator whose jobs take 0.6 s per state (complete 2.4 s after run)."""
    _, server = start_emulator(job_step_seconds=0.6)
    emu = Emulator(server.url)
    emu.login()
    return emu


def test_job_timeout(slow: Emulator) -> None:
    emu = slow
    jid = new_job(emu)["id"]
    emu.ok("POST", f"{CUSTOMER}/jobs/{jid}/run", json={"config": {"jobTimeout": "1"}})
    job = wait_for(emu, jid, {"JOB_STATE_FAILED", "JOB_STATE_COMPLETE"}, timeout=4)
    assert job["state"] == "JOB_STATE_FAILED"
    assert job["errorMessage"] == "job timeout exceeded"
    # READY at 0 s, PARTITIONING at 0.6 s, then the 1 s timeout before RUNNING (1.2 s)
    assert list(job["stateTimestamps"]) == RUN_ORDER[:3] + ["JOB_STATE_FAILED"]
    assert job["duration"] == pytest.approx(0.4, abs=1e-6)


def test_start_at_in_the_future(start_emulator) -> None:
    state, server = start_emulator(job_step_seconds=0.05)
    emu = Emulator(server.url)
    emu.login()
    start_at = state.clock.now() + timedelta(seconds=0.8)
    jid = new_job(emu, startAt=start_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))["id"]
    emu.ok("POST", f"{CUSTOMER}/jobs/{jid}/run")
    time.sleep(0.3)
    assert emu.ok("GET", f"{CUSTOMER}/jobs/{jid}")["job"]["state"] == "JOB_STATE_READY"
    job = wait_for(emu, jid, {"JOB_STATE_COMPLETE"}, timeout=3)
    assert job["startedAt"] > start_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_abort_and_delete(bn: Emulator, slow: Emulator) -> None:
    # a job that has not started is deleted by abort (NEW, and READY before its startAt)
    jid = new_job(bn)["id"]
    r = bn.call("POST", f"{CUSTOMER}/jobs/{jid}/abort", json={})
    assert r.json()["message"] == "job had not started: deleted"
    assert bn.call("GET", f"{CUSTOMER}/jobs/{jid}").status_code == 404
    # a running job is aborted, and stays aborted
    running = new_job(slow)["id"]
    slow.ok("POST", f"{CUSTOMER}/jobs/{running}/run")
    assert wait_for(slow, running, {"JOB_STATE_PARTITIONING"})["state"] == "JOB_STATE_PARTITIONING"
    r = slow.call("POST", f"{CUSTOMER}/jobs/{running}/abort")
    assert r.json()["message"] == "job aborted"
    job = slow.ok("GET", f"{CUSTOMER}/jobs/{running}")["job"]
    assert job["state"] == "JOB_STATE_ABORTED"
    assert job["endedAt"] == job["stateTimestamps"]["JOB_STATE_ABORTED"]
    assert list(job["stateTimestamps"]) == RUN_ORDER[:3] + ["JOB_STATE_ABORTED"]
    time.sleep(2.0)
    assert slow.ok("GET", f"{CUSTOMER}/jobs/{running}")["job"]["state"] == "JOB_STATE_ABORTED"
    r = slow.call("POST", f"{CUSTOMER}/jobs/{running}/abort")
    assert (r.status_code, r.json()["ok"], r.json()["error"]["code"]) == (400, False, "400")
    assert slow.ok("GET", f"{CUSTOMER}/jobs/{running}/assets") == {"assets": []}
    # delete hides a job from get and list; its id is not reused
    done = new_job(bn)["id"]
    bn.ok("POST", f"{CUSTOMER}/jobs/{done}/run")
    wait_for(bn, done, {"JOB_STATE_COMPLETE"})
    r = bn.call("DELETE", f"{CUSTOMER}/jobs/{done}")
    assert r.json()["message"] == "job deleted"
    assert bn.call("GET", f"{CUSTOMER}/jobs/{done}").status_code == 404
    ids = {j["id"] for j in bn.pages(f"{CUSTOMER}/jobs")}
    assert done not in ids and jid not in ids
    r = bn.call("DELETE", f"{CUSTOMER}/jobs/{done}")
    assert (r.status_code, r.json()["ok"]) == (404, False)
    r = bn.call("POST", f"{CUSTOMER}/jobs", json={"templateId": VIDEO, "jobId": done})
    assert (r.status_code, r.json()["code"]) == (409, 6)


def test_results_links_expire(bn: Emulator) -> None:
    jid = new_job(bn, name="expiring")["id"]
    assert bn.ok("GET", f"{CUSTOMER}/jobs/{jid}/results") == {"results": []}  # not run yet
    bn.ok("POST", f"{CUSTOMER}/jobs/{jid}/run")
    wait_for(bn, jid, {"JOB_STATE_COMPLETE"})
    link = bn.ok("GET", f"{CUSTOMER}/jobs/{jid}/results")["results"][0]["link"]
    assert requests.get(link, timeout=10).status_code == 200
    assert requests.get(link.replace("sig=", "sig=0"), timeout=10).status_code == 403
    assert requests.get(link.split("?")[0], timeout=10).status_code == 403
    assert requests.get(link.replace(jid, str(uuid.uuid4())), timeout=10).status_code == 404
    bn.set_today(TODAY + timedelta(days=1))
    assert requests.get(link, timeout=10).status_code == 200  # within 48 h
    bn.set_today(TODAY + timedelta(days=3))
    r = requests.get(link, timeout=10)
    assert r.status_code == 410
    assert r.json()["message"] == "link expired: results are kept 48 hours after the job ended"


def test_list_and_filter(bn: Emulator, world) -> None:
    legacy = [
        v for i in range(world.n_works) for v in world.legacy_videos(i) if v.created_on <= TODAY
    ]
    ids = [
        new_job(bn, name=f"job {n}", labels={"batch": "b1" if n < 3 else "b2"})["id"]
        for n in range(5)
    ]
    total = len(legacy) + 5
    first = bn.ok("GET", f"{CUSTOMER}/jobs")
    assert first["pagination"] == {
        "total": total,
        "offset": 0,
        "hasPrevious": False,
        "hasNext": True,
    }
    assert len(first["data"]) == 100
    assert [j["id"] for j in first["data"][:5]] == ids[::-1]  # newest first by default
    everything = bn.pages(f"{CUSTOMER}/jobs", {"orderBy": "createdAt"})
    assert len(everything) == total == len({j["id"] for j in everything})
    assert [j["createdAt"] for j in everything] == sorted(j["createdAt"] for j in everything)
    assert {j["id"] for j in everything} == {v.job_id for v in legacy} | set(ids)
    # Pipedream's bare limit/offset
    bare = bn.ok("GET", f"{CUSTOMER}/jobs", params={"limit": 2, "offset": 1})
    assert [j["id"] for j in bare["data"]] == ids[::-1][1:3]
    assert bare["pagination"] == {"total": total, "offset": 1, "hasPrevious": True, "hasNext": True}
    for bad in (
        {"pagination.limit": 1001},
        {"pagination.limit": -1},
        {"pagination.offset": "x"},
        {"orderBy": "size"},
        {"limit": 5000},
    ):
        r = bn.call("GET", f"{CUSTOMER}/jobs", params=bad)
        assert (r.status_code, r.json()["code"]) == (400, 3), bad
    # filter (guessed body)
    body = {"labels": {"batch": "b1"}, "states": ["JOB_STATE_NEW"], "orderBy": "createdAt"}
    got = bn.ok("POST", f"{CUSTOMER}/jobs/filter", json=body)
    assert [j["id"] for j in got["data"]] == ids[:3]
    got = bn.ok(
        "POST",
        f"{CUSTOMER}/jobs/filter",
        json={"states": ["JOB_STATE_COMPLETE"], "pagination": {"limit": "1"}},
    )
    assert got["pagination"]["total"] == len(legacy)
    assert len(got["data"]) == 1
    got = bn.ok("POST", f"{CUSTOMER}/jobs/filter", json={"name": "JOB 4"})
    assert [j["id"] for j in got["data"]] == [ids[4]]
    r = bn.call("POST", f"{CUSTOMER}/jobs/filter", json={"states": ["JOB_STATE_DONE"]})
    assert (r.status_code, r.json()["code"]) == (400, 3)


def test_templates_info_datasource_logs(bn: Emulator) -> None:
    templates = bn.ok("GET", f"{CUSTOMER}/jobs/templates")
    ids = [t["id"] for t in templates["data"]]
    # every template id public clients and ByteNite's docs name
    assert ids == [
        "hello-world-template",
        "img-gen-diffusers-flux-gpu-template",
        "img-gen-diffusers-template",
        "llama4-app-gpu-template",
        "opencv-container@v0.1",
        "transcription-service-template",
        VIDEO,
    ]
    assert templates["pagination"] == {
        "total": 7,
        "offset": 0,
        "hasPrevious": False,
        "hasNext": False,
    }
    info = bn.ok("GET", f"{CUSTOMER}/info")
    assert set(info) == {"version", "messages"}
    good = {
        "dataSource": {"dataSourceDescriptor": "url", "params": {"url": "https://x.example/in.mp4"}}
    }
    assert bn.ok("POST", f"{CUSTOMER}/datasource/test", json=good)["ok"] is True
    r = bn.call(
        "POST", f"{CUSTOMER}/datasource/test", json={"dataSource": {"dataSourceDescriptor": "ftp"}}
    )
    assert (r.status_code, r.json()["ok"], r.json()["error"]["code"]) == (400, False, "400")
    jid = new_job(bn, name="logged")["id"]
    assert bn.ok("POST", f"{CUSTOMER}/logs", json={"jobId": jid}) == {
        "partitioner": [],
        "assembler": [],
        "taskrunner": {},
    }
    bn.ok("POST", f"{CUSTOMER}/jobs/{jid}/run")
    job = wait_for(bn, jid, {"JOB_STATE_COMPLETE"})
    logs = bn.ok("POST", f"{CUSTOMER}/logs", json={"jobId": jid})
    assert len(logs["taskrunner"]) == int(job["numChunks"])
    assert logs["assembler"][-1]["log"] == "wrote 3 output files"  # two renditions, the poster
    only = bn.ok("POST", f"{CUSTOMER}/logs", json={"jobId": jid, "services": ["partitioner"]})
    assert only["assembler"] == [] and only["taskrunner"] == {} and len(only["partitioner"]) == 2
    assert bn.call("POST", f"{CUSTOMER}/logs", json={"jobId": str(uuid.uuid4())}).status_code == 404
    assert bn.call("POST", f"{CUSTOMER}/logs", json={}).status_code == 400


def test_legacy_jobs_are_complete(bn: Emulator, world) -> None:
    v = next(
        v for i in range(world.n_works) for v in world.legacy_videos(i) if v.created_on <= TODAY
    )
    body = bn.ok("GET", f"{CUSTOMER}/jobs/{v.job_id}")
    job = body["job"]
    assert job["state"] == "JOB_STATE_COMPLETE"
    assert job["templateId"] == VIDEO
    assert job["endedAt"].startswith(v.created_on.isoformat())
    assert list(job["stateTimestamps"]) == RUN_ORDER
    results = bn.ok("GET", f"{CUSTOMER}/jobs/{v.job_id}/results")["results"]
    assert len(results) == 3 and results[2]["name"].endswith("_poster.png")
    assert requests.get(results[0]["link"], timeout=10).status_code == 410  # long expired
