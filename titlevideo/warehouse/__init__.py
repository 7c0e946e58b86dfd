"""The DuckDB warehouse: ``include/sql`` models built into a new file, tested, then swapped in.

* :func:`build_warehouse` — the build (see :mod:`titlevideo.warehouse.build`).
* :mod:`titlevideo.warehouse.models` — model files and specs, dependency order.
* :mod:`titlevideo.warehouse.checks` — the model tests declared beside each model.
* :mod:`titlevideo.warehouse.raw` — the raw lake as typed relations, and the manifest.
* :mod:`titlevideo.warehouse.seeds` — ``ref`` tables: code lists and the business rules.
"""

from __future__ import annotations

from titlevideo.warehouse.build import STORAGE_VERSION, BuildLocked, BuildResult, build_warehouse

__all__ = ["STORAGE_VERSION", "BuildLocked", "BuildResult", "build_warehouse"]
