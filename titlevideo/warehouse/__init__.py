"""The DuckDB warehouse: the dbt project in ``include/sql`` built into a new file, tested, swapped in.

* :func:`build_warehouse` — the build (see :mod:`titlevideo.warehouse.build`).
* :mod:`titlevideo.warehouse.dbt` — dbt-core + dbt-duckdb in-process, the profile written in code.
* :mod:`titlevideo.warehouse.graph` — incremental drivers and fingerprints from dbt's manifest.
* :mod:`titlevideo.warehouse.meta` — schema ``meta``: the lake listing and dbt's run results.
* :mod:`titlevideo.warehouse.raw` — the raw lake as typed views (the dbt sources), and the listing.
* :mod:`titlevideo.warehouse.rules` — the business rules as ``ref`` tables (dbt source ``rules``).
"""

from __future__ import annotations

from titlevideo.warehouse.build import STORAGE_VERSION, BuildLocked, BuildResult, build_warehouse

__all__ = ["STORAGE_VERSION", "BuildLocked", "BuildResult", "build_warehouse"]
