"""Settings and business rules.

* Where things live: ``LAKE_ROOT`` (default ``./data``) and the paths under it.
* Business rules: ``include/config/business_rules.yaml`` (or ``TITLEVIDEO_RULES``), validated on
  load; every key has a default here, so a missing key is never a crash and a wrong one is a clear
  error naming the key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_ROOT = PROJECT_ROOT / "include" / "sql"
DEFAULT_RULES_FILE = PROJECT_ROOT / "include" / "config" / "business_rules.yaml"

DELIVERABLE_TYPES = (
    "TRAILER",
    "AUTHOR_INTERVIEW",
    "TEASER",
    "SOCIAL_CUTDOWN",
    "AUDIOBOOK_SAMPLE",
    "NARRATED_EXCERPT",
    "EVENT_RECORDING",
    "BEHIND_THE_SCENES",
)
AUDIO_DELIVERABLES = ("AUDIOBOOK_SAMPLE", "NARRATED_EXCERPT")
CHANNELS = (
    "WEBSITE",
    "RETAILER",
    "CAMPAIGN_LANDING",
    "YOUTUBE",
    "TIKTOK",
    "INSTAGRAM",
    "FACEBOOK",
    "X",
)
#: Placement channels ByteNite may report that the business rules do not (yet) use: the
#: reference's draft of the extension lists them; they are accepted, never written.
BYTENITE_ONLY_CHANNELS = ("WEB", "CTV", "OTHER")
TIERS = ("Lead", "Key", "Core")


class ConfigError(ValueError):
    """Bad or missing configuration; the message says what to fix."""


# --------------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lake:
    """The lake layout of ARCHITECTURE.md, rooted at ``LAKE_ROOT``."""

    root: Path

    @classmethod
    def from_env(cls) -> Lake:
        raw = os.environ.get("LAKE_ROOT", "data")
        if "://" in raw and not raw.startswith("file://"):
            raise ConfigError(f"LAKE_ROOT={raw!r}: only local paths are supported by this build")
        return cls(Path(raw.removeprefix("file://")).resolve())

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def warehouse(self) -> Path:
        return self.warehouse_dir / "analytics.duckdb"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def reports(self) -> Path:
        return self.root / "reports"


# --------------------------------------------------------------------------------------------
# Business rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    version: int = 1
    deliverables_by_tier: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "Lead": ("TRAILER", "AUTHOR_INTERVIEW", "TEASER", "SOCIAL_CUTDOWN"),
            "Key": ("TRAILER", "SOCIAL_CUTDOWN"),
            "Core": ("SOCIAL_CUTDOWN",),
        }
    )
    audio_deliverables_by_tier: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "Lead": ("AUDIOBOOK_SAMPLE", "NARRATED_EXCERPT"),
            "Key": ("AUDIOBOOK_SAMPLE",),
            "Core": (),
        }
    )
    audio_forms: tuple[str, ...] = ("AJ",)
    launch_ready_stages: tuple[str, ...] = ("Launch readiness", "Pre-launch")
    job_template: str = "video-transcoding@v0.2"
    master_url_template: str = "https://masters.publisher.example/{isbn13}/{deliverable}.mov"
    channels: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "TRAILER": ("WEBSITE", "RETAILER", "YOUTUBE"),
            "AUTHOR_INTERVIEW": ("WEBSITE", "YOUTUBE"),
            "TEASER": ("INSTAGRAM", "TIKTOK", "FACEBOOK"),
            "SOCIAL_CUTDOWN": ("TIKTOK", "INSTAGRAM"),
            "AUDIOBOOK_SAMPLE": ("WEBSITE", "RETAILER"),
            "NARRATED_EXCERPT": ("WEBSITE", "YOUTUBE"),
            "EVENT_RECORDING": ("YOUTUBE",),
            "BEHIND_THE_SCENES": ("INSTAGRAM", "YOUTUBE"),
        }
    )
    web_link_roles: dict[str, str] = field(
        default_factory=lambda: {
            "TRAILER": "30",
            "AUTHOR_INTERVIEW": "25",
            "TEASER": "30",
            "SOCIAL_CUTDOWN": "30",
            "AUDIOBOOK_SAMPLE": "28",
            "NARRATED_EXCERPT": "28",
            "EVENT_RECORDING": "24",
            "BEHIND_THE_SCENES": "30",
        }
    )
    pre_order_days: int = 90
    launch_window: tuple[int, int] = (-28, 56)
    bytenite_writes_per_second: float = 20.0
    consonance_writes_per_second: float = 10.0
    max_attempts_per_row: int = 5
    summary_marker: str = "<!-- title-video-elt:performance-summary -->"

    def validate(self) -> Rules:
        def deliverables(where: str, values: Any) -> None:
            bad = [v for v in values if v not in DELIVERABLE_TYPES]
            if bad:
                raise ConfigError(
                    f"{where}: unknown deliverable type(s) {bad}; known: {', '.join(DELIVERABLE_TYPES)}"
                )

        for key, mapping in (
            ("deliverables.by_tier", self.deliverables_by_tier),
            ("deliverables.audio_by_tier", self.audio_deliverables_by_tier),
        ):
            for tier, values in mapping.items():
                deliverables(f"{key}.{tier}", values)
        for tier, values in self.audio_deliverables_by_tier.items():
            not_audio = [v for v in values if v not in AUDIO_DELIVERABLES]
            if not_audio:
                raise ConfigError(
                    f"deliverables.audio_by_tier.{tier}: {not_audio} are not audio deliverables"
                )
        for deliverable, chans in self.channels.items():
            deliverables("channels", [deliverable])
            bad = [c for c in chans if c not in CHANNELS]
            if bad:
                raise ConfigError(
                    f"channels.{deliverable}: unknown channel(s) {bad}; known: {', '.join(CHANNELS)}"
                )
        for deliverable, role in self.web_link_roles.items():
            deliverables("web_link_roles", [deliverable])
            if not (isinstance(role, str) and len(role) == 2 and role.isdigit()):
                raise ConfigError(
                    f"web_link_roles.{deliverable}: {role!r} is not a two-digit ONIX list 73 code"
                )
        needed = {d for v in self.deliverables_by_tier.values() for d in v}
        needed |= {d for v in self.audio_deliverables_by_tier.values() for d in v}
        for what, mapping in (("channels", self.channels), ("web_link_roles", self.web_link_roles)):
            missing = sorted(needed - set(mapping))
            if missing:
                raise ConfigError(f"{what}: no entry for requested deliverable(s) {missing}")
        if self.pre_order_days < 0:
            raise ConfigError("windows.pre_order_days must be >= 0")
        lo, hi = self.launch_window
        if lo >= hi:
            raise ConfigError("windows.launch_window must be [start, end] with start < end")
        if self.bytenite_writes_per_second <= 0 or self.consonance_writes_per_second <= 0:
            raise ConfigError("sync.*_writes_per_second must be positive")
        if self.max_attempts_per_row < 1:
            raise ConfigError("sync.max_attempts_per_row must be >= 1")
        try:
            self.master_url_template.format(isbn13="9780000000000", deliverable="TRAILER")
        except (KeyError, IndexError) as exc:
            raise ConfigError(
                f"deliverables.master_url_template: unknown placeholder {exc}"
            ) from None
        return self


_KNOWN = {
    "version": ("version",),
    "deliverables": (
        "by_tier",
        "audio_by_tier",
        "audio_forms",
        "launch_ready_stages",
        "job_template",
        "master_url_template",
    ),
    "channels": None,
    "web_link_roles": None,
    "windows": ("pre_order_days", "launch_window"),
    "sync": (
        "bytenite_writes_per_second",
        "consonance_writes_per_second",
        "max_attempts_per_row",
        "summary_marker",
    ),
}


def rules_from_dict(raw: dict[str, Any]) -> Rules:
    if not isinstance(raw, dict):
        raise ConfigError("business rules: the file must hold a mapping")
    unknown = sorted(set(raw) - set(_KNOWN))
    if unknown:
        raise ConfigError(
            f"business rules: unknown top-level key(s) {unknown}; known: {sorted(_KNOWN)}"
        )
    for section, keys in _KNOWN.items():
        if keys and section in raw and section != "version":
            if not isinstance(raw[section], dict):
                raise ConfigError(f"business rules: {section} must be a mapping")
            bad = sorted(set(raw[section]) - set(keys))
            if bad:
                raise ConfigError(
                    f"business rules: unknown key(s) {bad} in {section}; known: {list(keys)}"
                )
    d = raw.get("deliverables", {})
    w = raw.get("windows", {})
    s = raw.get("sync", {})
    kwargs: dict[str, Any] = {}
    if "version" in raw:
        kwargs["version"] = int(raw["version"])
    if "by_tier" in d:
        kwargs["deliverables_by_tier"] = {str(k): tuple(v or ()) for k, v in d["by_tier"].items()}
    if "audio_by_tier" in d:
        kwargs["audio_deliverables_by_tier"] = {
            str(k): tuple(v or ()) for k, v in d["audio_by_tier"].items()
        }
    for key, attr in (
        ("audio_forms", "audio_forms"),
        ("launch_ready_stages", "launch_ready_stages"),
    ):
        if key in d:
            kwargs[attr] = tuple(d[key])
    for key in ("job_template", "master_url_template"):
        if key in d:
            kwargs[key] = str(d[key])
    if "channels" in raw:
        kwargs["channels"] = {str(k): tuple(v or ()) for k, v in raw["channels"].items()}
    if "web_link_roles" in raw:
        kwargs["web_link_roles"] = {str(k): str(v) for k, v in raw["web_link_roles"].items()}
    if "pre_order_days" in w:
        kwargs["pre_order_days"] = int(w["pre_order_days"])
    if "launch_window" in w:
        lw = w["launch_window"]
        if not (isinstance(lw, list) and len(lw) == 2):
            raise ConfigError("windows.launch_window must be a list [start, end]")
        kwargs["launch_window"] = (int(lw[0]), int(lw[1]))
    for key in ("bytenite_writes_per_second", "consonance_writes_per_second"):
        if key in s:
            kwargs[key] = float(s[key])
    if "max_attempts_per_row" in s:
        kwargs["max_attempts_per_row"] = int(s["max_attempts_per_row"])
    if "summary_marker" in s:
        kwargs["summary_marker"] = str(s["summary_marker"])
    return Rules(**kwargs).validate()


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> Rules:
    """Load and validate the business rules (``TITLEVIDEO_RULES`` overrides the default file)."""
    file = Path(path or os.environ.get("TITLEVIDEO_RULES") or DEFAULT_RULES_FILE)
    if not file.exists():
        raise ConfigError(
            f"business rules file {file} does not exist (set TITLEVIDEO_RULES or restore the default)"
        )
    try:
        raw = yaml.safe_load(file.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"business rules file {file} is not valid YAML: {exc}") from None
    try:
        return rules_from_dict(raw)
    except (TypeError, ValueError) as exc:  # ConfigError included
        raise ConfigError(f"{file}: {exc}") from None
