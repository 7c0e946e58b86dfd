"""The admin routes both emulators serve (``/_emulator/...``, from ``emulators.common``), as the
two folders' ``Emulator`` test clients call them."""

from __future__ import annotations

from datetime import date
from typing import Any

import requests


class EmulatorAdmin:
    """Mixed into a test client that has the emulator's base ``url`` and an ``http`` session."""

    url: str
    http: requests.Session

    def admin(self, method: str, path: str, json: Any = None) -> Any:
        r = self.http.request(method, f"{self.url}/_emulator/{path}", json=json, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()

    def set_today(self, day: date) -> None:
        assert self.admin("POST", "clock", {"today": day.isoformat()}) == {"today": day.isoformat()}
