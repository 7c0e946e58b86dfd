"""The REST API v2 of a running Airflow, through the project's one transport policy.

A JWT comes from ``/auth/token`` (the simple auth manager's login) and is renewed once when the
API answers 401. An API server that is busy or restarting (timeouts, refused connections, 5xx;
with SQLite, a backfill create that met a locked database answers 503 after clearing what it
had recorded) is retried by :func:`titlevideo.transport.call` with its backoff and jitter, for
about three minutes (:data:`PATIENCE`); any other refusal raises
:class:`titlevideo.transport.ApiError` with the HTTP status.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

import requests

from titlevideo.transport import ApiError, AuthError, RetryPolicy, call

SYSTEM = "Airflow"

#: how long a busy or restarting API server is waited for: 40 attempts, backoff from 1 s with
#: full jitter, at most 10 s apart (about three minutes in all)
PATIENCE = RetryPolicy(max_attempts=40, base_delay=1.0, max_delay=10.0, read_timeout=30.0)
#: a health probe: one attempt, a short timeout
PROBE = RetryPolicy(max_attempts=1, connect_timeout=5.0, read_timeout=5.0)
#: entries asked for per call of a list endpoint; the API server answers at most its
#: ``[api] maximum_page_limit`` (100 by default) whatever is asked
PAGE = 100


class AirflowApi:
    """The REST API v2 of the Airflow at ``url``, logged in as ``user``."""

    def __init__(self, url: str, user: str, password: str, policy: RetryPolicy = PATIENCE):
        self.url = url.rstrip("/")
        self.policy = policy
        self._login = {"username": user, "password": password}
        self._session = requests.Session()
        self._token: str | None = None

    def health(self) -> dict[str, Any] | None:
        """``/api/v2/monitor/health``, or None while the API server does not answer."""
        try:
            answer: dict[str, Any] = call(
                self._session,
                "GET",
                f"{self.url}/api/v2/monitor/health",
                system=SYSTEM,
                endpoint="monitor/health",
                policy=PROBE,
            )
        except ApiError:
            return None
        return answer

    def _auth(self) -> str:
        if self._token is None:
            try:
                answer = call(
                    self._session,
                    "POST",
                    f"{self.url}/auth/token",
                    system=SYSTEM,
                    endpoint="auth/token",
                    policy=self.policy,
                    json_body=self._login,
                )
            except AuthError as exc:
                raise SystemExit(
                    f"Airflow at {self.url} refused the login (HTTP {exc.status})"
                ) from None
            self._token = str(answer["access_token"])
        return self._token

    def _renew(self) -> bool:
        self._token = None  # expired: log in again
        return True

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """One API call under the retry policy; its parsed JSON answer."""
        path = path.lstrip("/")
        return call(
            self._session,
            method,
            f"{self.url}/api/v2/{path}",
            system=SYSTEM,
            endpoint=f"{method} /api/v2/{path}",
            policy=self.policy,
            json_body=json,
            params=params,
            headers=lambda: {"Authorization": f"Bearer {self._auth()}"},
            on_unauthorized=self._renew,
        )

    def dag(self, dag_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.call("GET", f"dags/{dag_id}")
        return answer

    def max_active_runs(self, dag_id: str) -> int:
        return int(self.call("GET", f"dags/{dag_id}/details")["max_active_runs"] or 1)

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.call("PATCH", f"dags/{dag_id}", json={"is_paused": paused})

    def every(self, path: str, key: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every entry of a list endpoint (``key`` of its answer), in id order. One call returns
        at most the server's ``maximum_page_limit`` entries, so this pages by offset until
        ``total_entries``; entries created meanwhile come last in id order, so none is skipped
        or returned twice."""
        found: list[Any] = []
        while True:
            page = self.call(
                "GET",
                path,
                params={**(params or {}), "limit": PAGE, "offset": len(found), "order_by": "id"},
            )
            found += page[key]
            if not page[key] or len(found) >= int(page["total_entries"]):
                return found

    def runs(self, dag_id: str, first: date, last: date) -> list[dict[str, Any]]:
        """The runs of ``dag_id`` with a logical date from ``first`` to ``last``."""
        return self.every(
            f"dags/{dag_id}/dagRuns",
            "dag_runs",
            {
                "logical_date_gte": f"{first.isoformat()}T00:00:00Z",
                "logical_date_lte": f"{last.isoformat()}T00:00:00Z",
            },
        )

    def trigger(self, dag_id: str, conf: dict[str, Any]) -> str:
        """A manual run of ``dag_id`` with ``conf``; its run id."""
        run = self.call("POST", f"dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf})
        return str(run["dag_run_id"])

    def run_state(self, dag_id: str, run_id: str) -> str:
        return str(self.call("GET", f"dags/{dag_id}/dagRuns/{quote(run_id, safe='')}")["state"])

    def set_run_state(self, dag_id: str, run_id: str, state: str) -> None:
        self.call("PATCH", f"dags/{dag_id}/dagRuns/{quote(run_id, safe='')}", json={"state": state})

    def dags_ready(self, dag_ids: tuple[str, ...]) -> bool:
        """Whether every DAG of ``dag_ids`` is parsed; an import error fails at once."""
        try:
            errors = self.call("GET", "importErrors")["import_errors"]
            if errors:
                files = ", ".join(e.get("filename", "?") for e in errors)
                raise SystemExit(
                    f"Airflow could not import {files}; see the UI or `airflow dags list-import-errors`"
                )
            for dag_id in dag_ids:
                self.dag(dag_id)
        except ApiError as exc:
            if exc.status == 404:
                return False  # not parsed yet
            raise
        return True
