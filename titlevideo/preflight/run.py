"""Running the preflight, caching a pass for a day, writing its report; ``make check``."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import requests

from titlevideo.config import ConfigError
from titlevideo.connections import BYTENITE_CONN_ID, CONSONANCE_CONN_ID, Endpoint
from titlevideo.preflight.bytenite import check_bytenite
from titlevideo.preflight.consonance import check_consonance
from titlevideo.preflight.report import BYTENITE, CACHE_FOR, CONSONANCE, Finding, Report

_DESCRIPTION = "Preflight: check a real deployment of Consonance and ByteNite before the first run."


def fingerprint(endpoints: Mapping[str, Endpoint]) -> str:
    """What a cached pass is valid for: hosts, key digests, path overrides and the documents."""
    from titlevideo.consonance.queries import DOCUMENTS

    h = hashlib.sha256()
    for system, ep in sorted(endpoints.items()):
        h.update(f"{system}|{ep.base_url}|{json.dumps(ep.paths, sort_keys=True)}|".encode())
        h.update(hashlib.sha256(ep.api_key.encode()).digest())
    h.update(json.dumps(DOCUMENTS, sort_keys=True).encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):  # the checks themselves
        h.update(source.read_bytes())
    return h.hexdigest()[:16]


def run(endpoints: Mapping[str, Endpoint], session: requests.Session | None = None) -> Report:
    """Check the systems given (``{"Consonance": endpoint, "ByteNite": endpoint}``)."""
    findings: list[Finding] = []
    if CONSONANCE in endpoints:
        findings += check_consonance(endpoints[CONSONANCE], session=session)
    if BYTENITE in endpoints:
        findings += check_bytenite(endpoints[BYTENITE], session=session)
    return Report(
        {s: ep.base_url for s, ep in endpoints.items()},
        findings,
        fingerprint=fingerprint(endpoints),
    )


def write_report(report: Report, reports_dir: Path) -> Path:
    from titlevideo.lake import write_json_atomic

    stamp = report.checked_at.replace(":", "").replace("-", "").split(".")[0]
    systems = "-".join(sorted(s.lower() for s in report.targets))
    path = reports_dir / "preflight" / f"{stamp}-{systems}.json"
    write_json_atomic(path, report.to_json())
    write_json_atomic(reports_dir / "preflight" / f"latest-{systems}.json", report.to_json())
    return path


def cached_pass(
    reports_dir: Path, endpoints: Mapping[str, Endpoint], now: datetime | None = None
) -> dict[str, Any] | None:
    """The last report for these systems, if it passed less than a day ago for the same
    connections and documents."""
    systems = "-".join(sorted(s.lower() for s in endpoints))
    try:
        last = json.loads((reports_dir / "preflight" / f"latest-{systems}.json").read_text())
        age = (now or datetime.now(UTC)) - datetime.fromisoformat(last["checked_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if last.get("ok") and last.get("fingerprint") == fingerprint(endpoints) and age < CACHE_FOR:
        return cast("dict[str, Any]", last)
    return None


def check_cached(endpoints: Mapping[str, Endpoint], reports_dir: Path) -> tuple[bool, str]:
    """The DAGs' check task: a pass less than a day old for the same connections is reused;
    otherwise the checks run and their report is written. Returns (passed, text)."""
    last = cached_pass(reports_dir, endpoints)
    if last is not None:
        return True, f"preflight passed at {last['checked_at']} (cached for a day): not re-run"
    report = run(endpoints)
    path = write_report(report, reports_dir)
    return report.ok, report.text() + f"\n\nJSON: {path}"


def _local_endpoints() -> dict[str, Endpoint]:
    """The connections (``AIRFLOW_CONN_*``), or else the local emulators if they are running."""
    import os

    from titlevideo.connections import from_env

    out: dict[str, Endpoint] = {}
    for system, conn_id in ((CONSONANCE, CONSONANCE_CONN_ID), (BYTENITE, BYTENITE_CONN_ID)):
        if os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}"):
            out[system] = from_env(conn_id)
            continue
        from titlevideo.local.emulators import EMULATORS, default_key, health

        spec = EMULATORS[system.lower()]
        if health(spec.port) is None:
            raise ConfigError(
                f"{system}: AIRFLOW_CONN_{conn_id.upper()} is not set and no emulator answers on "
                f":{spec.port} (set the connection, or start the emulators with `make emulators`)"
            )
        out[system] = Endpoint(
            conn_id, f"http://127.0.0.1:{spec.port}", default_key(system.lower())
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make check", description=_DESCRIPTION)
    parser.add_argument(
        "--system", choices=["consonance", "bytenite"], help="check one system only"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from titlevideo.config import Lake

    try:
        endpoints = _local_endpoints()
    except ConfigError as exc:
        print(f"Preflight FAILED: {exc}")
        return 1
    if args.system:
        endpoints = {s: e for s, e in endpoints.items() if s.lower() == args.system}
    report = run(endpoints)
    path = write_report(report, Lake.from_env().reports)
    print(report.text())
    print(f"\nJSON: {path}")
    return 0 if report.ok else 1
