"""Settings and business rules.

* Where things live: ``LAKE_ROOT`` (default ``./data``) and the paths under it.
* Business rules: ``include/config/business_rules.yaml`` (or ``TITLEVIDEO_RULES``), validated on
  load. The packaged file is the one declaration of every rule and its default: a file given by
  ``TITLEVIDEO_RULES`` takes any key it leaves out from it, so a missing key is never a crash and a
  wrong one is a clear error naming the key.

The vocabularies the rules are checked against belong to the APIs: deliverable types and channels
to ByteNite (:mod:`titlevideo.bytenite.vocab`), marketing tiers to Consonance
(:mod:`titlevideo.consonance.vocab`); they are re-exported here for the warehouse and its suites.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from titlevideo.bytenite.vocab import AUDIO_DELIVERABLES as AUDIO_DELIVERABLES
from titlevideo.bytenite.vocab import BYTENITE_ONLY_CHANNELS as BYTENITE_ONLY_CHANNELS
from titlevideo.bytenite.vocab import CHANNELS as CHANNELS
from titlevideo.bytenite.vocab import DELIVERABLE_TYPES as DELIVERABLE_TYPES
from titlevideo.consonance.vocab import TIERS as TIERS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_ROOT = PROJECT_ROOT / "include" / "sql"
DEFAULT_RULES_FILE = PROJECT_ROOT / "include" / "config" / "business_rules.yaml"


class ConfigError(ValueError):
    """Bad or missing configuration; the message says what to fix."""


# --------------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lake:
    """The lake layout (docs/architecture.md, the lake layer), rooted at ``LAKE_ROOT``."""

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


def _packaged(attr: str) -> Any:
    """A :class:`Rules` field whose default is the packaged rules file's value."""
    return field(default_factory=lambda: copy.deepcopy(packaged_rules_values()[attr]))


@dataclass(frozen=True)
class Rules:
    """The business rules; ``Rules()`` holds the packaged file's values."""

    version: int = _packaged("version")
    deliverables_by_tier: dict[str, tuple[str, ...]] = _packaged("deliverables_by_tier")
    audio_deliverables_by_tier: dict[str, tuple[str, ...]] = _packaged("audio_deliverables_by_tier")
    audio_forms: tuple[str, ...] = _packaged("audio_forms")
    launch_ready_stages: tuple[str, ...] = _packaged("launch_ready_stages")
    job_template: str = _packaged("job_template")
    master_url_template: str = _packaged("master_url_template")
    channels: dict[str, tuple[str, ...]] = _packaged("channels")
    #: imprint name -> channels its titles are never placed on
    channel_restrictions_by_imprint: dict[str, tuple[str, ...]] = _packaged(
        "channel_restrictions_by_imprint"
    )
    web_link_roles: dict[str, str] = _packaged("web_link_roles")
    pre_order_days: int = _packaged("pre_order_days")
    launch_window: tuple[int, int] = _packaged("launch_window")
    readiness_weeks_ahead: int = _packaged("readiness_weeks_ahead")
    readiness_weeks_back: int = _packaged("readiness_weeks_back")
    #: deliverable type (or ``default``) -> days before publication it must be ready by
    ready_days_before: dict[str, int] = _packaged("ready_days_before")
    placed_days_before: int = _packaged("placed_days_before")
    respect_sales_embargo: bool = _packaged("respect_sales_embargo")
    end_at_out_of_print: bool = _packaged("end_at_out_of_print")
    history_days: int = _packaged("history_days")
    history_requests_per_second: float = _packaged("history_requests_per_second")
    bytenite_writes_per_second: float = _packaged("bytenite_writes_per_second")
    consonance_writes_per_second: float = _packaged("consonance_writes_per_second")
    max_attempts_per_row: int = _packaged("max_attempts_per_row")
    log_retention_days: int = _packaged("log_retention_days")
    summary_marker: str = _packaged("summary_marker")

    def ready_days(self, deliverable: str) -> int:
        """Days before publication ``deliverable`` must be ready by (readiness.ready_days_before)."""
        return self.ready_days_before.get(deliverable, self.ready_days_before["default"])

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
        for imprint, chans in self.channel_restrictions_by_imprint.items():
            if not imprint.strip():
                raise ConfigError("channel_restrictions.by_imprint: an imprint name is empty")
            bad = [c for c in chans if c not in CHANNELS]
            if bad:
                raise ConfigError(
                    f"channel_restrictions.by_imprint.{imprint}: unknown channel(s) {bad}; "
                    f"known: {', '.join(CHANNELS)}"
                )
        for deliverable, role in self.web_link_roles.items():
            deliverables("web_link_roles", [deliverable])
            if not (isinstance(role, str) and len(role) == 2 and role.isdigit()):
                raise ConfigError(
                    f"web_link_roles.{deliverable}: {role!r} is not a two-digit ONIX list 73 code"
                )
        needed = {d for v in self.deliverables_by_tier.values() for d in v}
        needed |= {d for v in self.audio_deliverables_by_tier.values() for d in v}
        mappings: tuple[tuple[str, Mapping[str, object]], ...] = (
            ("channels", self.channels),
            ("web_link_roles", self.web_link_roles),
        )
        for what, entries in mappings:
            missing = sorted(needed - set(entries))
            if missing:
                raise ConfigError(f"{what}: no entry for requested deliverable(s) {missing}")
        if self.pre_order_days < 0:
            raise ConfigError("windows.pre_order_days must be >= 0")
        lo, hi = self.launch_window
        if lo >= hi:
            raise ConfigError("windows.launch_window must be [start, end] with start < end")
        if self.readiness_weeks_ahead < 0 or self.readiness_weeks_back < 0:
            raise ConfigError("readiness.weeks_ahead and readiness.weeks_back must be >= 0")
        if "default" not in self.ready_days_before:
            raise ConfigError("readiness.ready_days_before must set `default`")
        for key, days in self.ready_days_before.items():
            if key != "default":
                deliverables("readiness.ready_days_before", [key])
            if not isinstance(days, int) or days < 0:
                raise ConfigError(f"readiness.ready_days_before.{key} must be a whole number >= 0")
        if self.placed_days_before < 0:
            raise ConfigError("readiness.placed_days_before must be >= 0")
        if not 1 <= self.history_days <= 3660:
            raise ConfigError("history.days must be between 1 and 3660")
        if self.history_requests_per_second <= 0:
            raise ConfigError("history.requests_per_second must be positive")
        if self.bytenite_writes_per_second <= 0 or self.consonance_writes_per_second <= 0:
            raise ConfigError("sync.*_writes_per_second must be positive")
        if self.max_attempts_per_row < 1:
            raise ConfigError("sync.max_attempts_per_row must be >= 1")
        if self.log_retention_days < 1:
            raise ConfigError("sync.log_retention_days must be >= 1")
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
    "channel_restrictions": ("by_imprint",),
    "web_link_roles": None,
    "windows": ("pre_order_days", "launch_window", "placements"),
    "readiness": ("weeks_ahead", "weeks_back", "ready_days_before", "placed_days_before"),
    "history": ("days", "requests_per_second"),
    "sync": (
        "bytenite_writes_per_second",
        "consonance_writes_per_second",
        "max_attempts_per_row",
        "log_retention_days",
        "summary_marker",
    ),
}


def _rule_values(raw: dict[str, Any]) -> dict[str, Any]:
    """The :class:`Rules` fields a rules mapping sets (keys checked, values converted)."""
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
    h = raw.get("history", {})
    r = raw.get("readiness", {})
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
    restrictions = raw.get("channel_restrictions", {})
    if "by_imprint" in restrictions:
        by_imprint = restrictions["by_imprint"] or {}
        if not isinstance(by_imprint, dict):
            raise ConfigError(
                "channel_restrictions.by_imprint must map imprint names to lists of channels"
            )
        kwargs["channel_restrictions_by_imprint"] = {
            str(k): _channel_list(f"channel_restrictions.by_imprint.{k}", v)
            for k, v in by_imprint.items()
        }
    if "placements" in w:
        kwargs.update(_placement_window(w["placements"]))
    if "pre_order_days" in w:
        kwargs["pre_order_days"] = int(w["pre_order_days"])
    if "launch_window" in w:
        lw = w["launch_window"]
        if not (isinstance(lw, list) and len(lw) == 2):
            raise ConfigError("windows.launch_window must be a list [start, end]")
        kwargs["launch_window"] = (int(lw[0]), int(lw[1]))
    for key in ("weeks_ahead", "weeks_back"):
        if key in r:
            kwargs[f"readiness_{key}"] = int(r[key])
    if "ready_days_before" in r:
        if not isinstance(r["ready_days_before"], dict):
            raise ConfigError("readiness.ready_days_before must map deliverable types to days")
        kwargs["ready_days_before"] = {str(k): int(v) for k, v in r["ready_days_before"].items()}
    if "placed_days_before" in r:
        kwargs["placed_days_before"] = int(r["placed_days_before"])
    if "days" in h:
        kwargs["history_days"] = int(h["days"])
    if "requests_per_second" in h:
        kwargs["history_requests_per_second"] = float(h["requests_per_second"])
    for key in ("bytenite_writes_per_second", "consonance_writes_per_second"):
        if key in s:
            kwargs[key] = float(s[key])
    for key in ("max_attempts_per_row", "log_retention_days"):
        if key in s:
            kwargs[key] = int(s[key])
    if "summary_marker" in s:
        kwargs["summary_marker"] = str(s["summary_marker"])
    return kwargs


def _channel_list(where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise ConfigError(f"{where} must be a list of channel names, e.g. [TIKTOK]")
    return tuple(value)


_PLACEMENT_WINDOW = {
    "respect_sales_embargo": "respect_sales_embargo",
    "end_at_out_of_print": "end_at_out_of_print",
}


def _placement_window(value: Any) -> dict[str, bool]:
    """``windows.placements``: each key a true/false switch (YAML booleans only, so a quoted
    "false" is an error rather than a truthy string)."""
    if not isinstance(value, dict):
        raise ConfigError("windows.placements must be a mapping")
    bad = sorted(set(value) - set(_PLACEMENT_WINDOW))
    if bad:
        raise ConfigError(
            f"business rules: unknown key(s) {bad} in windows.placements; known: {list(_PLACEMENT_WINDOW)}"
        )
    out = {}
    for key, attr in _PLACEMENT_WINDOW.items():
        if key in value:
            if not isinstance(value[key], bool):
                raise ConfigError(
                    f"windows.placements.{key} must be true or false, not {value[key]!r}"
                )
            out[attr] = value[key]
    return out


def rules_from_dict(raw: dict[str, Any]) -> Rules:
    """Validated rules from a rules mapping; what it leaves out comes from the packaged file."""
    return Rules(**_rule_values(raw)).validate()


def _read_rules_file(file: Path) -> dict[str, Any]:
    if not file.exists():
        raise ConfigError(
            f"business rules file {file} does not exist (set TITLEVIDEO_RULES or restore the default)"
        )
    try:
        raw: dict[str, Any] = yaml.safe_load(file.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"business rules file {file} is not valid YAML: {exc}") from None
    return raw


@lru_cache(maxsize=1)
def packaged_rules_values() -> dict[str, Any]:
    """Every rule as the packaged ``include/config/business_rules.yaml`` sets it: the defaults."""
    try:
        values = _rule_values(_read_rules_file(DEFAULT_RULES_FILE))
    except (TypeError, ValueError) as exc:  # ConfigError included
        raise ConfigError(f"{DEFAULT_RULES_FILE}: {exc}") from None
    missing = sorted({f.name for f in fields(Rules)} - set(values))
    if missing:
        raise ConfigError(f"{DEFAULT_RULES_FILE} must set every rule; it lacks {missing}")
    return values


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> Rules:
    """Load and validate the business rules (``TITLEVIDEO_RULES`` overrides the default file)."""
    file = Path(path or os.environ.get("TITLEVIDEO_RULES") or DEFAULT_RULES_FILE)
    raw = _read_rules_file(file)
    try:
        return rules_from_dict(raw)
    except (TypeError, ValueError) as exc:  # ConfigError included
        raise ConfigError(f"{file}: {exc}") from None
