"""A deployment that serves the extension elsewhere remaps its paths in the connection extra."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from titlevideo.bytenite.client import ByteNiteClient
from titlevideo.config import ConfigError
from titlevideo.connections import from_env

pytestmark = pytest.mark.unit


class _Recorder(BaseHTTPRequestHandler):
    seen: list[str] = []

    def _send(self, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append("POST " + self.path.split("?")[0])
        self._send({"token": "t0k", "expiresIn": "3600", "scope": "all"})

    def do_GET(self) -> None:
        self.seen.append("GET " + self.path.split("?")[0])
        self._send({"pagination": {"hasNext": False}, "data": [{"id": "a1"}]})

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    _Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _conn(monkeypatch, url: str, paths: object) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_BYTENITE_DEFAULT",
        json.dumps({"conn_type": "http", "host": url, "password": "k", "extra": {"paths": paths}}),
    )


def test_remapped_paths_are_the_ones_called(monkeypatch, server):
    _conn(monkeypatch, server, {"assets": "/v2/media/assets", "access_token": "/auth/token"})
    client = ByteNiteClient(from_env("bytenite_default"))
    assert [a["id"] for page in client.assets() for a in page] == ["a1"]
    list(client.placements())
    assert _Recorder.seen == [
        "POST /auth/token",
        "GET /v2/media/assets",
        "GET /v1/customer/placements",  # not remapped: the default
    ]


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        ({"asets": "/v2/assets"}, "unknown name 'asets'"),
        (
            {"asset": "/v2/assets/{id}"},
            "must use the placeholders of '/v1/customer/assets/{asset_id}'",
        ),
    ],
)
def test_bad_path_overrides_name_what_to_fix(monkeypatch, paths, message):
    _conn(monkeypatch, "http://127.0.0.1:9", paths)
    with pytest.raises(ConfigError, match="connection 'bytenite_default': extra paths") as info:
        ByteNiteClient(from_env("bytenite_default"))
    assert message in str(info.value)


@pytest.mark.parametrize("paths", [["/v2"], {"assets": "v2/assets"}, {"assets": 3}])
def test_malformed_paths_extra_is_a_bad_extra(monkeypatch, paths):
    _conn(monkeypatch, "http://127.0.0.1:9", paths)
    with pytest.raises(ConfigError, match="bad extra: paths must map names to absolute paths"):
        from_env("bytenite_default")
