"""What the build needs to know from dbt's parsed manifest: models, incremental drivers, fingerprints.

* :func:`incremental_drivers` — for each incremental model, the raw source whose partitions are its
  partitions (the model's ``unique_key`` is that source's partition key), directly or through an
  upstream incremental model keyed the same way (chained incrementals reload the same dates). A
  table model that reads the same source other than through an incremental model is refused: in
  an incremental build that source holds only the dates being reloaded.
* :func:`fingerprints` — a hash of each model's SQL and build config, everything upstream of it
  and the project's macros; a changed fingerprint of an incremental model forces a full rebuild.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from titlevideo.schemas import ENTITIES, Entity
from titlevideo.warehouse.sqltext import ModelError

#: Bump when the build's handling of models changes in a way that invalidates carried-over facts.
BUILD_FORMAT = 2  # 2: built by dbt


def models(manifest: Any) -> dict[str, Any]:
    """unique_id → model node, for the project's models."""
    return {uid: n for uid, n in manifest.nodes.items() if n.resource_type == "model"}


def layer(node: Any) -> str:
    """staging, intermediate, marts or reverse: the folder under models/."""
    return str(node.fqn[1]) if len(node.fqn) > 2 else "models"


def _upstream(manifest: Any, uid: str, seen: set[str]) -> tuple[set[str], set[str]]:
    """The raw sources ``uid`` reads and the incremental models it reads, both through any
    number of non-incremental models (an incremental model's table is complete: reading it is
    fine, and what it reads is its own business)."""
    sources: set[str] = set()
    incrementals: set[str] = set()
    for dep in manifest.nodes[uid].depends_on.nodes:
        if dep.startswith("source."):
            sources.add(dep)
        elif dep.startswith("model.") and dep not in seen:
            seen.add(dep)
            if manifest.nodes[dep].config.materialized == "incremental":
                incrementals.add(dep)
                continue
            more_sources, more_incrementals = _upstream(manifest, dep, seen)
            sources |= more_sources
            incrementals |= more_incrementals
    return sources, incrementals


def _upstream_sources(manifest: Any, uid: str, seen: set[str]) -> set[str]:
    return _upstream(manifest, uid, seen)[0]


def _entity(manifest: Any, source_uid: str) -> Entity | None:
    node = manifest.sources[source_uid]
    return ENTITIES.get((node.source_name, node.name))


def incremental_drivers(manifest: Any) -> dict[str, Entity]:
    """Incremental model name → the raw entity that drives its partitions.

    An incremental model is driven by an upstream raw source whose partition key is its
    ``unique_key``, or — chained — by an upstream incremental model with the same ``unique_key``,
    whose driver it shares: it then reloads the same dates, reading them from that model's table
    (``meta.reloaded_dates``; its pre-hook deletes them first). Exactly one driver is allowed.
    """
    nodes = models(manifest)
    drivers: dict[str, Entity] = {}
    resolving: set[str] = set()

    def driver(uid: str) -> Entity:
        node = nodes[uid]
        if node.name in drivers:
            return drivers[node.name]
        if uid in resolving:  # dbt refuses cycles; this only guards the recursion
            raise ModelError(f"{node.original_file_path}: incremental models form a cycle")
        resolving.add(uid)
        key = node.config.unique_key
        sources, incrementals = _upstream(manifest, uid, set())
        feeding = {e for s in sources if (e := _entity(manifest, s)) is not None}
        feeding = {e for e in feeding if e.partition_key == key}
        feeding |= {driver(i) for i in incrementals if nodes[i].config.unique_key == key}
        if len(feeding) != 1:
            raise ModelError(
                f"{node.original_file_path}: an incremental model needs unique_key = the partition key "
                f"of exactly one upstream raw source (directly, or through an upstream incremental "
                f"model with the same unique_key); found {sorted(e.name for e in feeding)} for {key!r}"
            )
        drivers[node.name] = feeding.pop()
        return drivers[node.name]

    for uid, node in nodes.items():
        if node.config.materialized == "incremental":
            driver(uid)
    for uid, node in nodes.items():
        if node.config.materialized != "table":
            continue  # ephemeral models are checked through the tables that read them
        for s in _upstream_sources(manifest, uid, set()):
            entity = _entity(manifest, s)
            for inc, entity_driver in drivers.items():
                if entity == entity_driver:
                    raise ModelError(
                        f"{node.original_file_path}: reads raw {entity.name} (through staging) but is "
                        f"not incremental; read {inc} instead — in an incremental build only "
                        "reloaded dates are visible"
                    )
    return drivers


def fingerprints(manifest: Any) -> dict[str, str]:
    """Model name → SHA-256 over its SQL, build config, upstream models and the project's macros."""
    nodes = models(manifest)
    project = manifest.metadata.project_name
    macros = hashlib.sha256()
    for uid in sorted(manifest.macros):
        macro = manifest.macros[uid]
        if macro.package_name == project:
            macros.update(uid.encode() + macro.macro_sql.encode())
    memo: dict[str, str] = {}

    def fp(uid: str) -> str:
        if uid in memo:
            return memo[uid]
        node = nodes[uid]
        c = node.config
        h = hashlib.sha256(f"format:{BUILD_FORMAT}\n".encode())
        h.update(node.raw_code.encode())
        h.update(
            json.dumps(
                [
                    c.materialized,
                    c.unique_key,
                    c.get("incremental_strategy"),
                    [hook.sql for hook in c.pre_hook],
                    [hook.sql for hook in c.post_hook],
                ],
                default=str,
            ).encode()
        )
        h.update(macros.hexdigest().encode())
        for dep in sorted(d for d in node.depends_on.nodes if d in nodes):
            h.update(fp(dep).encode())
        memo[uid] = h.hexdigest()
        return memo[uid]

    return {nodes[uid].name: fp(uid) for uid in nodes}
