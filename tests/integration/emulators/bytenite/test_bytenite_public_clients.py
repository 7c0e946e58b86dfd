"""ByteNite endpoints, templates and result files that public clients use (issue 16, defect 7):
the wallet balance (ByteNite's API notebooks), the image-generation templates of ByteNite's docs
and demo, and ``.zip`` results (the ``zipper`` assembler's output, which clients unzip)."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest
import requests
from bytenite_helpers import CUSTOMER, Emulator

pytestmark = pytest.mark.integration


def run_to_completion(bn: Emulator, template: str, name: str) -> dict:
    job = bn.ok("POST", f"{CUSTOMER}/jobs", json={"templateId": template, "name": name})["job"]
    bn.ok("POST", f"{CUSTOMER}/jobs/{job['id']}/run")
    deadline = time.monotonic() + 10
    while (job := bn.ok("GET", f"{CUSTOMER}/jobs/{job['id']}")["job"])["state"] != (
        "JOB_STATE_COMPLETE"
    ) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job["state"] == "JOB_STATE_COMPLETE"
    return job


def test_wallet_balance_has_the_documented_shape_and_pays_for_jobs(bn: Emulator) -> None:
    before = bn.ok("GET", f"{CUSTOMER}/wallet/balance")
    user = bn.ok("GET", "/v1/auth/user")["user"]
    assert before == {
        "accountId": user["id"],
        "totalBalance": "1000000",
        "availableBalance": "1000000",
    }
    job = run_to_completion(bn, "hello-world-template", "greeting")
    after = bn.ok("GET", f"{CUSTOMER}/wallet/balance")
    left = str(1_000_000 - int(job["paymentAmount"]))
    assert int(job["paymentAmount"]) > 0
    assert after == {"accountId": user["id"], "totalBalance": left, "availableBalance": left}
    r = requests.get(f"{bn.url}{CUSTOMER}/wallet/balance", timeout=10)  # no token
    assert r.status_code == 401


@pytest.mark.parametrize(
    "template", ["img-gen-diffusers-flux-gpu-template", "img-gen-diffusers-template"]
)
def test_image_generation_templates_run_and_their_zip_is_a_real_archive(
    bn: Emulator, template: str
) -> None:
    job = run_to_completion(bn, template, "a cover sketch")
    (result,) = bn.ok("GET", f"{CUSTOMER}/jobs/{job['id']}/results")["results"]
    assert result["name"].startswith("out_0/") and result["name"].endswith(".zip")
    r = requests.get(result["link"], timeout=10)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert zf.testzip() is None
        assert sorted(zf.namelist()) == ["manifest.json", "output_0.txt"]
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest == {"jobId": job["id"], "files": ["output_0.txt"]}
    assert requests.get(result["link"], timeout=10).content == r.content  # same bytes again
