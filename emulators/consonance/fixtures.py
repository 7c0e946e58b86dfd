"""``POST /_emulator/fixtures``: inject chosen records, malformed ones included.

The format is described in the package docstring (``emulators/consonance/__init__.py``). A call
is validated as a whole before anything is applied; a bad entry raises ``ValueError`` (the admin
route answers 400 with the message) and changes nothing.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from emulators.catalog import World

from .store import NEW_ID_BASE, Clone, ConsonanceState

_SECTIONS = ("works", "products", "webLinks", "marketingTexts", "supportingResources", "duplicates")
_OBJECT_KINDS = {"webLinks": "link", "marketingTexts": "text", "supportingResources": "resource"}


def load(state: ConsonanceState, payload: dict[str, Any]) -> dict[str, Any]:
    unknown = set(payload) - set(_SECTIONS)
    if unknown:
        raise ValueError(
            f"unknown section(s) {sorted(unknown)}; expected some of {list(_SECTIONS)}"
        )
    on = state.clock.today
    actions: list[Any] = []  # callables applied once everything validated
    report: dict[str, list[int]] = {
        "works": [],
        "products": [],
        "webLinks": [],
        "marketingTexts": [],
        "supportingResources": [],
    }
    reserved: set[int] = set()

    for n, entry in enumerate(_entries(payload, "works")):
        where = f"works[{n}]"
        if "copyOf" in entry:
            actions.append(_plan_work_copy(state, entry, on, where, reserved, report))
        else:
            wid = _int(entry, "id", where)
            if state.work(wid, on) is None:
                raise ValueError(f"{where}: work {wid} does not exist on {on}")
            actions.append(_plan_patch(state, "work", wid, wid, entry, on, where))
            report["works"].append(wid)

    for n, entry in enumerate(_entries(payload, "products")):
        where = f"products[{n}]"
        if "copyOf" in entry:
            actions.append(_plan_product_copy(state, entry, on, where, reserved, report))
        else:
            pid = _int(entry, "id", where)
            if state.product(pid, on) is None:
                raise ValueError(f"{where}: product {pid} does not exist on {on}")
            owner = state.work_of_product(pid)
            assert owner is not None
            actions.append(_plan_patch(state, "product", pid, owner, entry, on, where))
            report["products"].append(pid)

    for section, kind in _OBJECT_KINDS.items():
        for n, entry in enumerate(_entries(payload, section)):
            where = f"{section}[{n}]"
            oid = _int(entry, "id", where)
            owner, rec = state.find_object(kind, oid, on)
            if rec is None:
                raise ValueError(f"{where}: {section[:-1]} {oid} does not exist on {on}")
            actions.append(
                _plan_patch(state, kind, oid, owner, entry, on, where, removed_key="_deleted")
            )
            report[section].append(oid)

    dups = payload.get("duplicates")
    if dups is not None:
        if isinstance(dups, list):
            dups = {"works": dups}
        if not isinstance(dups, dict) or set(dups) - {"works", "products"}:
            raise ValueError(
                'duplicates: a list of work ids or {"works": [...], "products": [...]}'
            )
        for section, kind in (("works", "work"), ("products", "product")):
            for ident in dups.get(section, []):
                if not isinstance(ident, int):
                    raise ValueError(f"duplicates.{section}: ids must be integers")
                exists = state.work(ident, on) if kind == "work" else state.product(ident, on)
                if exists is None and ident not in reserved:
                    raise ValueError(f"duplicates.{section}: {kind} {ident} does not exist on {on}")
                owner = ident if kind == "work" else state.work_of_product(ident)
                actions.append(_dup_action(state, kind, ident, owner, on))

    for action in actions:
        action()
    return {"ok": True, "on": on.isoformat(), **{k: v for k, v in report.items() if v}}


def _entries(payload: dict[str, Any], section: str) -> list[dict[str, Any]]:
    entries = payload.get(section) or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError(f"{section}: a list of objects")
    return entries


def _int(entry: dict[str, Any], key: str, where: str) -> int:
    value = entry.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{where}: {key!r} must be an integer")
    return value


def _overrides(entry: dict[str, Any], where: str) -> dict[str, Any]:
    extra = set(entry) - {"id", "overrides", "remove", "copyOf", "workId", "isbn13"}
    if extra:
        raise ValueError(f"{where}: unknown key(s) {sorted(extra)}")
    values = entry.get("overrides") or {}
    if not isinstance(values, dict):
        raise ValueError(f"{where}: overrides must be an object of field values")
    if any(k.startswith("_") and k != "__typename" for k in values):
        raise ValueError(f"{where}: override keys are API field names")
    if "publicationDate" in values or "plannedPublicationDate" in values:
        values = dict(values)
        for key in ("publicationDate", "plannedPublicationDate"):
            # a valid date string becomes a date (so filters see it); anything else passes through
            if isinstance(values.get(key), str):
                with contextlib.suppress(ValueError):
                    values[key] = date.fromisoformat(values[key])
    return values


def _plan_patch(
    state: ConsonanceState,
    kind: str,
    oid: int,
    owner: int | None,
    entry: dict[str, Any],
    on: date,
    where: str,
    removed_key: str = "_removed",
) -> Any:
    values = dict(_overrides(entry, where))
    if entry.get("remove"):
        values[removed_key] = True
    if not values:
        raise ValueError(f"{where}: nothing to do (give overrides or remove)")

    def apply() -> None:
        state.add_patch(kind, oid, on, values)
        if kind == "product" and owner is not None:
            state.patched_works.add(owner)
        if owner is not None:
            state.touch(owner, on)

    return apply


def _new_id(
    state: ConsonanceState, kind: str, entry: dict[str, Any], where: str, reserved: set[int]
) -> int:
    if "id" in entry:
        ident = _int(entry, "id", where)
        taken = ident in reserved or (
            state.clones.get(ident) if kind == "work" else state.clone_products.get(ident)
        )
        if ident < NEW_ID_BASE or taken or ident > 2**31 - 1:
            raise ValueError(
                f"{where}: a new record's id must be unused and between {NEW_ID_BASE} and {2**31 - 1}"
            )
    else:
        ident = state.new_id(kind)
        while ident in reserved or ident in state.clones or ident in state.clone_products:
            ident = state.new_id(kind)
    reserved.add(ident)
    return ident


def _plan_work_copy(
    state: ConsonanceState,
    entry: dict[str, Any],
    on: date,
    where: str,
    reserved: set[int],
    report: dict[str, list[int]],
) -> Any:
    src_id = _int(entry, "copyOf", where)
    i = state.world.work_index(src_id)
    if i is None or state.world.work_at(i, on) is None:
        raise ValueError(f"{where}: copyOf must name a catalogue work existing on {on}")
    values = _overrides(entry, where)
    wid = _new_id(state, "work", entry, where, reserved)
    ws = state.world.work_at(i, on)
    assert ws is not None
    clone = Clone("work", wid, i, None, on, wid)
    for ps in ws.products:
        pid = state.new_id("product")
        reserved.add(pid)
        clone.products[ps.spec.k] = (pid, state.next_fixture_isbn())
    clone.cover_id = state.new_id("resource")
    clone.contribution_base = state.new_id("contribution")
    for _ in range(9):
        state.new_id("contribution")
    report["works"].append(wid)
    report["products"].extend(pid for pid, _ in clone.products.values())

    def apply() -> None:
        state.clones[wid] = clone
        if values:
            state.add_patch("work", wid, on, values)
        state.touch(wid, on)

    return apply


def _plan_product_copy(
    state: ConsonanceState,
    entry: dict[str, Any],
    on: date,
    where: str,
    reserved: set[int],
    report: dict[str, list[int]],
) -> Any:
    src_id = _int(entry, "copyOf", where)
    loc = state.world.locate_product(src_id)
    if loc is None or state.product(src_id, on) is None:
        raise ValueError(f"{where}: copyOf must name a catalogue product existing on {on}")
    work_id = entry.get("workId", World.WORK_ID_BASE + loc[0])
    if not isinstance(work_id, int) or (
        state.work(work_id, on) is None and work_id not in reserved
    ):
        raise ValueError(f"{where}: workId {work_id} does not exist on {on}")
    values = _overrides(entry, where)
    pid = _new_id(state, "product", entry, where, reserved)
    isbn = entry.get("isbn13", state.next_fixture_isbn())
    clone = Clone("product", pid, loc[0], loc[1], on, work_id, isbn13=isbn)
    report["products"].append(pid)

    def apply() -> None:
        state.clone_products[pid] = clone
        state.clones_by_work.setdefault(work_id, []).append(pid)
        if values:
            state.add_patch("product", pid, on, values)
        state.patched_works.add(work_id)
        state.touch(work_id, on)

    return apply


def _dup_action(state: ConsonanceState, kind: str, ident: int, owner: int | None, on: date) -> Any:
    def apply() -> None:
        state.duplicates[kind][ident] = on
        if owner is not None:
            state.touch(owner, on)

    return apply
