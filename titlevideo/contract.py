"""Schema contracts for raw API records: drift is reported, breaking changes fail, bad values quarantine.

Three outcomes for an incoming record (docs/architecture.md, the extract layer):

* a field the contract does not know → recorded in the drift report; the run goes on;
* a required field missing, or a value of the wrong JSON type → :class:`ContractError` before
  anything is made visible in the lake (the API changed under us: a person must look);
* a value of the right type that is invalid (bad ISBN check digit, impossible date, unknown code,
  negative count…) → the record goes to quarantine with its reason; the rest of the batch goes on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "number": (int, float),
    "str": (str,),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
    # ByteNite sends int64 as strings (gRPC-gateway); some clients/servers send numbers.
    "int64": (str, int),
}


class ContractError(RuntimeError):
    """The API's shape broke the contract; names the entity and the field."""

    def __init__(self, entity: str, field_name: str, problem: str, key: Any = None):
        self.entity = entity
        self.field = field_name
        where = f"{entity}.{field_name}" + (f" (record {key})" if key is not None else "")
        super().__init__(f"schema contract broken at {where}: {problem}")


@dataclass(frozen=True)
class F:
    """One field of a wire record: JSON kind, whether the key must be present, whether null is allowed."""

    name: str
    kind: str
    required: bool = True
    nullable: bool = True


@dataclass
class Contract:
    entity: str
    fields: tuple[F, ...]
    key: str | None = None
    drift: Counter[str] = field(default_factory=Counter)
    drift_examples: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_name = {f.name: f for f in self.fields}
        bad = [f.kind for f in self.fields if f.kind not in _TYPES]
        if bad:
            raise ValueError(f"unknown kinds {bad}")

    def check(self, record: Any) -> None:
        """Raise ContractError on a breaking difference; count unknown fields as drift."""
        key = record.get(self.key) if isinstance(record, dict) and self.key else None
        if not isinstance(record, dict):
            raise ContractError(
                self.entity, "<record>", f"expected an object, got {type(record).__name__}", key
            )
        for f in self.fields:
            if f.name not in record:
                if f.required:
                    raise ContractError(self.entity, f.name, "required field is missing", key)
                continue
            value = record[f.name]
            if value is None:
                if not f.nullable:
                    raise ContractError(self.entity, f.name, "null in a non-nullable field", key)
                continue
            types = _TYPES[f.kind]
            if isinstance(value, bool) and bool not in types:
                raise ContractError(
                    self.entity, f.name, f"expected {f.kind}, got boolean {value!r}", key
                )
            if not isinstance(value, types):
                raise ContractError(
                    self.entity,
                    f.name,
                    f"expected {f.kind}, got {type(value).__name__} {str(value)[:40]!r}",
                    key,
                )
        for name in record:
            if name not in self._by_name:
                self.drift[name] += 1
                self.drift_examples.setdefault(name, record[name])

    def drift_report(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "unknown_fields": {
                name: {"count": n, "example": self.drift_examples.get(name)}
                for name, n in sorted(self.drift.items())
            },
        }
