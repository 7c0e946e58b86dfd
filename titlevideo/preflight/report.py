"""The preflight's report: its findings, each with the mismatches that failed it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

CONSONANCE = "Consonance"
BYTENITE = "ByteNite"
#: a passing report is trusted this long by the DAGs' check task
CACHE_FOR = timedelta(days=1)


@dataclass
class Mismatch:
    document: str
    path: str
    expected: str
    found: str
    severity: str = "error"  # or "warning" (nullability)

    def line(self) -> str:
        mark = "" if self.severity == "error" else " (warning)"
        return f"{self.document}: {self.path}: expected {self.expected}, found {self.found}{mark}"


@dataclass
class Finding:
    system: str
    check: str
    ok: bool
    detail: str = ""
    mismatches: list[Mismatch] = field(default_factory=list)


@dataclass
class Report:
    targets: dict[str, str]
    findings: list[Finding]
    checked_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    def text(self) -> str:
        lines = [f"Preflight {'PASSED' if self.ok else 'FAILED'} ({self.checked_at})"]
        for system, url in self.targets.items():
            lines.append(f"\n{system} at {url}")
            for f in (f for f in self.findings if f.system == system):
                lines.append(
                    f"  [{'ok' if f.ok else 'FAIL'}] {f.check}"
                    + (f": {f.detail}" if f.detail else "")
                )
                lines.extend(f"      - {m.line()}" for m in f.mismatches)
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}
