"""End-to-end harness (imported by conftest and tests): both emulators in-process over real HTTP, a private Airflow (SQLite) and lake,
and the DAGs run for real with ``airflow dags test`` in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import requests

from emulators.bytenite import DEFAULT_API_KEY as BYTENITE_KEY
from emulators.bytenite import create_app as bytenite_app
from emulators.common import ServerThread
from emulators.consonance import DEFAULT_API_KEY as CONSONANCE_KEY
from emulators.consonance import create_app as consonance_app
from titlevideo.config import Lake
from titlevideo.connections import Endpoint, connection_json

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
CYCLE = (
    "consonance_extract",
    "bytenite_extract",
    "warehouse_build",
    "bytenite_sync",
    "consonance_sync",
)


class Emulators:
    """Both emulators of one world, served in this process."""

    def __init__(
        self, *, seed: int, works: int, today: date, faults: str = "none", **bytenite_options: Any
    ):
        self.seed, self.works = seed, works
        self.consonance_state, capp = consonance_app(
            seed=seed, works=works, today=today, faults=faults
        )
        self.bytenite_state, bapp = bytenite_app(
            seed=seed, works=works, today=today, faults=faults, **bytenite_options
        )
        self.consonance = ServerThread(capp).start()
        self.bytenite = ServerThread(bapp).start()

    def stop(self) -> None:
        self.consonance.stop()
        self.bytenite.stop()

    # -- endpoints the pipeline uses ----------------------------------------------------------
    def consonance_endpoint(self, **extra: Any) -> Endpoint:
        return Endpoint(
            "consonance_default",
            self.consonance.url,
            CONSONANCE_KEY,
            writes_per_second=extra.get("wps"),
        )

    def bytenite_endpoint(self, **extra: Any) -> Endpoint:
        return Endpoint(
            "bytenite_default", self.bytenite.url, BYTENITE_KEY, writes_per_second=extra.get("wps")
        )

    def connection_env(self) -> dict[str, str]:
        return {
            "AIRFLOW_CONN_CONSONANCE_DEFAULT": connection_json(
                self.consonance.url, CONSONANCE_KEY, writes_per_second=500
            ),
            "AIRFLOW_CONN_BYTENITE_DEFAULT": connection_json(
                self.bytenite.url, BYTENITE_KEY, writes_per_second=500
            ),
        }

    # -- admin ----------------------------------------------------------------------------------
    def set_clock(self, today: date) -> None:
        for server in (self.consonance, self.bytenite):
            r = requests.post(
                server.url + "/_emulator/clock", json={"today": today.isoformat()}, timeout=10
            )
            r.raise_for_status()

    def set_faults(self, profile: str) -> None:
        for server in (self.consonance, self.bytenite):
            requests.post(
                server.url + "/_emulator/faults", json={"profile": profile}, timeout=10
            ).raise_for_status()

    def writes(self, system: str, since: int = 0) -> list[dict[str, Any]]:
        server = self.consonance if system == "consonance" else self.bytenite
        return requests.get(
            server.url + "/_emulator/writes", params={"since": since}, timeout=30
        ).json()

    def consonance_fixtures(self, payload: dict[str, Any]) -> None:
        r = requests.post(self.consonance.url + "/_emulator/fixtures", json=payload, timeout=30)
        assert r.status_code == 200, r.text

    # -- reading them as a user would --------------------------------------------------------------
    def bytenite_token(self) -> str:
        r = requests.post(
            self.bytenite.url + "/v1/auth/access_token", json={"apiKey": BYTENITE_KEY}, timeout=10
        )
        return r.json()["token"]

    def bytenite_list(self, path: str, **params: Any) -> list[dict[str, Any]]:
        headers = {"Authorization": self.bytenite_token()}
        out, offset = [], 0
        while True:
            query = {**params, "pagination.limit": 1000, "pagination.offset": offset}
            page = requests.get(
                self.bytenite.url + path, params=query, headers=headers, timeout=60
            ).json()
            out += page["data"]
            if not page["pagination"]["hasNext"]:
                return out
            offset += len(page["data"])

    def bytenite_metrics(self, day: date) -> list[dict[str, Any]]:
        headers = {"Authorization": self.bytenite_token()}
        out, offset = [], 0
        while True:
            body = {
                "dateRange": {"from": day.isoformat(), "to": day.isoformat()},
                "pagination": {"limit": 1000, "offset": offset},
            }
            page = requests.post(
                self.bytenite.url + "/v1/customer/analytics/daily",
                json=body,
                headers=headers,
                timeout=60,
            ).json()
            out += page["data"]
            if not page["pagination"]["hasNext"]:
                return out
            offset += len(page["data"])

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        r = requests.post(
            self.consonance.url + "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {CONSONANCE_KEY}"},
            timeout=60,
        )
        body = r.json()
        assert not body.get("errors"), body.get("errors")
        return body["data"]


class Pipeline:
    """One lake plus the Airflow env that points the DAGs at one pair of emulators."""

    def __init__(self, base_env: dict[str, str], emulators: Emulators, lake_root: Path):
        self.emulators = emulators
        self.lake = Lake(lake_root)
        self.env = {**base_env, **emulators.connection_env(), "LAKE_ROOT": str(lake_root)}

    def dags_test(self, dag_id: str, day: date, **conf: Any) -> subprocess.CompletedProcess[str]:
        conf = {"date": day.isoformat(), **conf}
        proc = subprocess.run(
            [AIRFLOW, "dags", "test", dag_id, day.isoformat(), "--conf", json.dumps(conf)],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        failed = proc.returncode != 0 or "state=failed" in proc.stdout + proc.stderr
        assert not failed, f"{dag_id} failed:\n{(proc.stdout + proc.stderr)[-6000:]}"
        return proc

    def cycle(self, day: date, dags: tuple[str, ...] = CYCLE) -> None:
        for dag_id in dags:
            self.dags_test(dag_id, day)

    def report(self, day: date, dag_id: str) -> dict[str, Any]:
        return json.loads(
            (self.lake.reports / "runs" / day.isoformat() / f"{dag_id}.json").read_text()
        )
