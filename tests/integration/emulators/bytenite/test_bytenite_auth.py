"""Auth: token exchange, raw and Bearer forms, expiry, revoked keys, signout, rate limit."""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests
from bytenite_helpers import CUSTOMER, SECOND_KEY, Emulator

from emulators.bytenite import DEFAULT_API_KEY

pytestmark = pytest.mark.integration


def test_access_token_shape(bn: Emulator) -> None:
    r = bn.http.post(f"{bn.url}/v1/auth/access_token", json={"apiKey": DEFAULT_API_KEY}, timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"token", "expiresIn", "scope"}
    assert body["expiresIn"] == "3600"
    assert body["scope"] == "openid"
    header, claims, _sig = body["token"].split(".")
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert decoded["exp"] - decoded["iat"] == 3600
    assert decoded["aud"] == ["bytenite-app"]


@pytest.mark.parametrize(
    "body",
    [{"apiKey": "not-a-key"}, {"apiKey": ""}, {}],
    ids=["unknown", "empty", "missing"],
)
def test_access_token_refused(bn: Emulator, body: dict) -> None:
    r = bn.http.post(f"{bn.url}/v1/auth/access_token", json=body, timeout=10)
    assert r.status_code == 401
    assert r.json()["code"] == 16
    assert r.json()["details"] == []


def test_access_token_bad_json(bn: Emulator) -> None:
    r = bn.http.post(f"{bn.url}/v1/auth/access_token", data=b"{nope", timeout=10)
    assert r.status_code == 400
    assert r.json()["code"] == 3


def test_raw_and_bearer_tokens_accepted(bn: Emulator) -> None:
    for header in (bn.token, f"Bearer {bn.token}", f"bearer {bn.token}"):
        r = bn.call("GET", f"{CUSTOMER}/info", headers={"Authorization": header})
        assert r.status_code == 200, header
        assert r.json()["version"].startswith("bytenite-emulator")


@pytest.mark.parametrize("header", [None, "", "Bearer ", "not-a-token"])
def test_missing_or_unknown_token(bn: Emulator, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    r = bn.http.get(f"{bn.url}{CUSTOMER}/jobs", headers=headers, timeout=10)
    assert r.status_code == 401
    assert r.json()["code"] == 16
    # extension endpoints answer 401 too, marked as extension responses
    r = bn.http.get(f"{bn.url}{CUSTOMER}/assets", headers=headers, timeout=10)
    assert r.status_code == 401
    assert r.headers["X-Emulator-Extension"] == "true"


def test_token_expires(start_emulator) -> None:
    _, server = start_emulator(token_ttl=1)
    emu = Emulator(server.url)
    r = emu.http.post(
        f"{server.url}/v1/auth/access_token", json={"apiKey": DEFAULT_API_KEY}, timeout=10
    )
    assert r.json()["expiresIn"] == "1"
    emu.token = r.json()["token"]
    assert emu.call("GET", f"{CUSTOMER}/info").status_code == 200
    time.sleep(1.2)
    r = emu.call("GET", f"{CUSTOMER}/info")
    assert r.status_code == 401
    assert r.json() == {
        "code": 16,
        "message": "access token expired: request a new one",
        "details": [],
    }
    emu.login()
    assert emu.call("GET", f"{CUSTOMER}/info").status_code == 200


def test_revoked_key(bn: Emulator) -> None:
    second = Emulator(bn.url)
    second.login(SECOND_KEY)
    keys = bn.ok("GET", "/v1/auth/api_keys")["apiKeys"]
    assert [k["name"] for k in keys] == ["default", "key-2"]
    assert [k["revoked"] for k in keys] == [False, False]
    r = bn.call("POST", f"/v1/auth/api_keys/{keys[1]['id']}/revoke", json={})
    assert r.status_code == 200
    assert r.json()["ok"] is True
    assert r.json()["error"] is None
    # its tokens stop working, it can no longer be exchanged, the other key is unaffected
    assert second.call("GET", f"{CUSTOMER}/info").status_code == 401
    r = bn.http.post(f"{bn.url}/v1/auth/access_token", json={"apiKey": SECOND_KEY}, timeout=10)
    assert (r.status_code, r.json()["code"], r.json()["message"]) == (401, 16, "api key revoked")
    assert bn.call("GET", f"{CUSTOMER}/info").status_code == 200
    assert [k["revoked"] for k in bn.ok("GET", "/v1/auth/api_keys")["apiKeys"]] == [False, True]
    # revoking again is idempotent; an unknown key is 404 (GenericResponse)
    assert (
        bn.call("POST", f"/v1/auth/api_keys/{keys[1]['id']}/revoke").json()["message"]
        == "api key already revoked"
    )
    r = bn.call("POST", "/v1/auth/api_keys/00000000-0000-4000-8000-000000000000/revoke")
    assert r.status_code == 404
    assert r.json()["ok"] is False
    assert r.json()["error"]["code"] == "404"
    assert r.json()["error"]["message"] == "Not Found"
    assert [w["operation"] for w in bn.writes()] == ["api_keys.revoke"] * 3
    assert [w["outcome"] for w in bn.writes()] == ["ok", "ok", "error"]


def test_signout_and_user(bn: Emulator) -> None:
    user = bn.ok("GET", "/v1/auth/user")["user"]
    assert user["role"] == "ROLE_ADMIN"
    assert user["emailVerified"] is True
    r = bn.call("POST", "/v1/auth/signout", json={})
    assert r.json() == {
        "ok": True,
        "requestId": r.json()["requestId"],
        "message": "signed out",
        "error": None,
    }
    assert bn.call("GET", "/v1/auth/user").status_code == 401


def test_rate_limit(start_emulator) -> None:
    # one request per 2 s, bursts of 3: slow enough that a loaded machine cannot refill in time
    _, server = start_emulator(rate_limit=0.5, rate_burst=3)
    emu = Emulator(server.url)
    emu.login()
    statuses = [emu.call("GET", f"{CUSTOMER}/info").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    r = emu.call("GET", f"{CUSTOMER}/assets")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "2"
    assert r.headers["X-Emulator-Extension"] == "true"
    assert r.json()["code"] == 8
    assert r.json()["message"] == "rate limit exceeded: 0.5 requests/s per token (burst 3)"
    # the bucket is per token: a fresh token has its own burst
    other = Emulator(server.url)
    other.login()
    assert other.call("GET", f"{CUSTOMER}/info").status_code == 200
    time.sleep(2.1)
    assert emu.call("GET", f"{CUSTOMER}/info").status_code == 200


def test_unknown_path_and_wrong_method(bn: Emulator) -> None:
    r = bn.call("GET", f"{CUSTOMER}/nothing-here")
    assert (r.status_code, r.json()) == (404, {"code": 5, "message": "Not Found", "details": []})
    r = bn.call("PUT", f"{CUSTOMER}/jobs")
    assert r.status_code == 405
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST"}
    assert r.json()["code"] == 12
    r = requests.get(
        f"{bn.url}{CUSTOMER}/jobs/filter", headers={"Authorization": bn.token}, timeout=10
    )
    assert r.status_code == 405
