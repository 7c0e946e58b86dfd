"""Write-back economy: write calls per changed entity, and on a rerun with no change.

    python bench/writeback.py JOB.json

Against both emulators (already serving, in their own processes), with a fresh lake, without
Airflow: one daily cycle = Consonance extraction, ByteNite snapshot and the day's metrics, a
warehouse build, the ByteNite sync, the Consonance sync (the order of the DAGs). Writes are counted
in the emulators' own logs (``GET /_emulator/writes``), never from the pipeline's reports.

1. Cycles until one makes no write (the first ones create jobs, publish assets, place them, link
   them back…; jobs need a few emulator seconds to produce their assets).
2. A rerun with no upstream change: target 0 write calls.
3. Someone edits K titles in Consonance (fixtures: a new title for K works that have published
   video). A cycle: every write call must touch an object of those works (asset metadata in
   ByteNite; the works' performance summaries in Consonance): target 1.0 write calls per changed
   entity (an asset's metadata, a work's summary), 0 writes to unrelated objects.
4. Another rerun with no change: target 0.

Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class World:
    def __init__(self, job: dict[str, Any]):
        from titlevideo.config import Lake
        from titlevideo.connections import Endpoint

        self.job = job
        self.day = date.fromisoformat(job["day"])
        self.lake = Lake(Path(job["lake"]))
        self.cons = Endpoint(
            "consonance_default",
            job["consonance_url"],
            job["consonance_key"],
            writes_per_second=500,
        )
        self.byte = Endpoint(
            "bytenite_default", job["bytenite_url"], job["bytenite_key"], writes_per_second=500
        )
        self.http = requests.Session()

    def writes(self, system: str, since: int = 0) -> list[dict[str, Any]]:
        url = self.job["consonance_url" if system == "consonance" else "bytenite_url"]
        r = self.http.get(url + "/_emulator/writes", params={"since": since}, timeout=60)
        r.raise_for_status()
        return r.json()

    def seqs(self) -> dict[str, int]:
        return {s: len(self.writes(s)) for s in ("consonance", "bytenite")}

    def cycle(self) -> dict[str, Any]:
        from titlevideo.extract.bytenite import extract_bytenite_metrics, extract_bytenite_snapshot
        from titlevideo.extract.consonance import extract_consonance
        from titlevideo.reverse.run import run_id_for
        from titlevideo.reverse.targets.bytenite import sync_bytenite
        from titlevideo.reverse.targets.consonance import sync_consonance
        from titlevideo.warehouse.build import build_warehouse

        before = self.seqs()
        started = time.perf_counter()
        extract_consonance(self.cons, self.lake, self.day, today=self.day)
        extract_bytenite_snapshot(self.byte, self.lake, self.day)
        yesterday = self.day - timedelta(days=1)
        extract_bytenite_metrics(self.byte, self.lake, yesterday, yesterday)
        build_warehouse(self.lake, day=self.day, validate=None)
        sync_bytenite(self.byte, self.lake, run_id=run_id_for("bytenite_sync", str(self.day)))
        sync_consonance(self.cons, self.lake, run_id=run_id_for("consonance_sync", str(self.day)))
        new = {s: self.writes(s, before[s]) for s in ("consonance", "bytenite")}
        return {
            "seconds": round(time.perf_counter() - started, 2),
            "writes": {s: len(v) for s, v in new.items()},
            "operations": {
                s: dict(Counter(w["operation"] for w in v).most_common()) for s, v in new.items()
            },
            "failed": {s: sum(w["outcome"] != "ok" for w in v) for s, v in new.items()},
            "entries": new,
        }


def _total(c: dict[str, Any]) -> int:
    return sum(c["writes"].values())


def _public(c: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in c.items() if k != "entries"}


def main() -> None:
    import duckdb

    job = json.loads(Path(sys.argv[1]).read_text())
    world = World(job)
    out: dict[str, Any] = {"converge": []}
    for _ in range(job.get("max_cycles", 6)):
        c = world.cycle()
        out["converge"].append(_public(c))
        if _total(c) == 0:
            break
        time.sleep(job.get("settle_seconds", 3))
    out["converged"] = _total(c) == 0
    rerun = world.cycle()
    out["no_change_rerun"] = _public(rerun)

    # K works with published, matched video: a new title for each in Consonance
    con = duckdb.connect(str(world.lake.warehouse), read_only=True)
    works = [
        r[0]
        for r in con.execute(
            """
            select work_id
            from marts.dim_video_asset
            where work_id is not null and in_current_snapshot
                and publishing_status = 'PUBLISHED'
            group by work_id
            order by work_id
            limit ?
            """,
            [job.get("changed_works", 10)],
        ).fetchall()
    ]
    titles = dict(
        con.execute(
            "select work_id, title from marts.dim_title where list_contains(?, work_id)", [works]
        ).fetchall()
    )
    assets = {
        r[0]
        for r in con.execute(
            "select asset_id from marts.dim_video_asset where list_contains(?, work_id)", [works]
        ).fetchall()
    }
    products = {
        r[0]
        for r in con.execute(
            "select product_id from marts.dim_product where list_contains(?, work_id)", [works]
        ).fetchall()
    }
    placements = {
        r[0]
        for r in con.execute(
            "select placement_id from marts.fct_placement_current where list_contains(?, asset_id)",
            [sorted(assets)],
        ).fetchall()
    }
    con.close()
    texts_glob = str(world.lake.raw / "consonance" / "marketing_texts" / "*" / "*.parquet")
    # a marketing text belongs to its work: replacing a summary (Consonance has no update for
    # marketing texts) deletes the old text and creates one on the work, two calls for one entity
    text_work = dict(
        duckdb.execute(
            "select distinct marketing_text_id, work_id from read_parquet(?) where list_contains(?, work_id)",
            [texts_glob, works],
        ).fetchall()
    )
    texts = set(text_work)
    payload = {
        "works": [{"id": w, "overrides": {"title": f"{titles[w]} (Revised)"}} for w in works]
    }
    r = world.http.post(
        world.job["consonance_url"] + "/_emulator/fixtures", json=payload, timeout=60
    )
    r.raise_for_status()
    changed = world.cycle()
    related = {str(x) for x in (*assets, *works, *products, *placements, *texts)}
    targets: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    unrelated = []
    for system, entries in changed["entries"].items():
        for w in entries:
            target = w.get("target")
            # ByteNite logs the path ids ({"assetId": ...}), Consonance the id written to
            ids = {str(v) for v in target.values()} if isinstance(target, dict) else {str(target)}
            targets[f"{system}:{json.dumps(target, sort_keys=True)}"] += 1
            if system == "consonance" and target in text_work:
                entities[f"consonance:work {text_work[target]}"] += 1
            elif system == "consonance" and "MarketingText" in w["operation"]:
                entities[f"consonance:work {target}"] += 1
            else:
                entities[f"{system}:{json.dumps(target, sort_keys=True)}"] += 1
            if not ids & related:
                unrelated.append(
                    {"system": system, "operation": w["operation"], "target": w["target"]}
                )
    out["change"] = {
        "changed_works": len(works),
        "their_assets": len(assets),
        **_public(changed),
        "objects_written": len(targets),
        "calls_per_object": round(_total(changed) / len(targets), 3) if targets else None,
        "entities_changed": len(entities),
        "calls_per_entity": round(_total(changed) / len(entities), 3) if entities else None,
        "calls_per_entity_by_operation": {
            op: n
            for op, n in Counter(
                w["operation"] for es in changed["entries"].values() for w in es
            ).items()
        },
        "objects_written_more_than_once": {k: n for k, n in targets.items() if n > 1},
        "writes_to_unrelated_objects": len(unrelated),
        "unrelated_sample": unrelated[:5],
    }
    out["no_change_after"] = _public(world.cycle())
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
