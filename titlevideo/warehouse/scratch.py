"""dbt on a scratch copy of the warehouse, for engineers adding or changing a model.

    .venv/bin/python -m titlevideo.warehouse.scratch build --select mart_my_new_mart
    make dbt ARGS="build --select mart_my_new_mart"          # the same

Copies ``<LAKE_ROOT>/warehouse/analytics.duckdb`` to ``<LAKE_ROOT>/warehouse/scratch.duckdb``,
gives it what a build gives dbt (the raw views over the whole lake, the business-rules tables,
``meta.reloaded_dates``) and runs the dbt command on it with the build's profile. The warehouse
in place is never touched; the scratch file stays for you to query
(``duckdb -readonly data/warehouse/scratch.duckdb``) and is replaced by the next run.
"""

from __future__ import annotations

import logging
import shutil
import sys
from datetime import date

from titlevideo.config import SQL_ROOT, Lake, load_rules
from titlevideo.schemas import ENTITIES
from titlevideo.warehouse import meta, raw
from titlevideo.warehouse import rules as rules_tables
from titlevideo.warehouse.build import STORAGE_VERSION, _connect, _remove_db
from titlevideo.warehouse.dbt import DbtProject

SCRATCH = "scratch.duckdb"


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    lake = Lake.from_env()
    if not lake.warehouse.exists():
        print(f"no warehouse at {lake.warehouse}: run make run first", file=sys.stderr)
        return 1
    scratch = lake.warehouse_dir / SCRATCH
    _remove_db(scratch)
    shutil.copyfile(lake.warehouse, scratch)
    project = DbtProject(SQL_ROOT, lake.warehouse_dir / "dbt-scratch", STORAGE_VERSION)
    manifest = project.parse(scratch)
    listing = raw.scan_lake(lake.raw)
    con = _connect(scratch)
    try:
        rules_tables.load(con, load_rules(), manifest)
        dates: set[date] = set()
        for key, entity in ENTITIES.items():
            raw.register(con, lake.raw, entity, listing[key])
            if entity.partition_key == "metric_date":
                dates |= {f.partition_value for f in listing[key]}
        meta.create_reloaded_dates(con, sorted(dates))
        con.execute("checkpoint")
    finally:
        con.close()
    res = project.invoke(argv, scratch, manifest=manifest)
    for r in getattr(res.result, "results", None) or []:
        print(f"{r.node.resource_type:6} {r.node.name:70} {r.status!s:8} {r.execution_time:6.2f}s")
    print(f"scratch warehouse: {scratch}")
    return 0 if res.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
