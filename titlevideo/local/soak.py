"""``make soak DAYS=30``: a month of daily intervals run by the scheduler on the local stack.

The stack of ``make deploy`` (its own PostgreSQL database ``titlevideo_airflow_soak``, dropped
first; a Redis database no one else holds; its own home ``.soak/``) with
``TITLEVIDEO_SCHEDULE_START`` = DAYS days ago. The days are released one at a time, as time would:
the emulated world's clock moves to the day after, the dag-processor is restarted with
``TITLEVIDEO_SCHEDULE_END`` = that day, and the scheduler alone runs the day's two extractions,
the build on their asset events and both syncs after it. When the stack is quiet again the day is
measured: each DAG's duration, rows extracted, write calls per system, and the sizes of the lake,
the warehouse, ``state/sync.sqlite`` and the Airflow metadata database.

Results: one JSON line per day in ``.soak/soak.jsonl``, and the table and chart of the
``<!-- soak -->`` section of RELIABILITY.md (``--doc``), rewritten from that file.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
import yaml

from titlevideo.config import DEFAULT_RULES_FILE, PROJECT_ROOT
from titlevideo.local import say
from titlevideo.local.deploy import (
    DAGS,
    EXTRACTS,
    Settings,
    Stack,
    claim_redis_db,
    drop_database,
    pg_database_size,
    quiet,
    release_redis_db,
    runs,
    task_instances,
)

DOC = PROJECT_ROOT / "RELIABILITY.md"
BEGIN, END = "<!-- soak:begin -->", "<!-- soak:end -->"


def _ts(value: str | None) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() if value else 0.0


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def _rows(report: Path, *parts: str) -> int:
    try:
        data = json.loads(report.read_text())["data"]
    except (FileNotFoundError, ValueError, KeyError):
        return 0
    summaries = [data] if not parts else [data[parts[0]], *data.get(parts[1], [])]
    return sum(e["written"] for s in summaries for e in s.get("entities", {}).values())


def _count(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(con.execute(f"select count(*) from {table}").fetchone()[0])
    finally:
        con.close()


class Soak:
    def __init__(self, settings: Settings, days: int):
        self.s = settings
        self.days = days
        self.first = date.fromisoformat(settings.schedule_start)
        self.stack = Stack(settings)
        self.out = settings.home / "soak.jsonl"
        self.urls = {
            "consonance": f"http://127.0.0.1:{settings.consonance_port}",
            "bytenite": f"http://127.0.0.1:{settings.bytenite_port}",
        }
        self.writes_seen = {"consonance": 0, "bytenite": 0}

    def set_clock(self, today: date) -> None:
        for url in self.urls.values():
            r = requests.post(
                f"{url}/_emulator/clock", json={"today": today.isoformat()}, timeout=30
            )
            r.raise_for_status()

    def new_writes(self) -> dict[str, int]:
        out = {}
        for name, url in self.urls.items():
            r = requests.get(
                f"{url}/_emulator/writes", params={"since": self.writes_seen[name]}, timeout=120
            )
            r.raise_for_status()
            out[name] = len(r.json())
            self.writes_seen[name] += out[name]
        return out

    def run(self) -> list[dict[str, Any]]:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.write_text("")
        self.stack.up()
        results = []
        try:
            api = self.stack.api()
            since = time.time()
            for k in range(self.days):
                day = self.first + timedelta(days=k)
                self.set_clock(day + timedelta(days=1))
                if k == 0:
                    for dag_id in DAGS:
                        api.set_paused(dag_id, False)
                else:
                    self.stack.restart("dag-processor", TITLEVIDEO_SCHEDULE_END=day.isoformat())
                released = time.time()
                deadline = time.monotonic() + 3600
                while not quiet(api, k + 1):
                    if time.monotonic() > deadline:
                        raise SystemExit(f"day {day} did not finish within an hour")
                    time.sleep(3)
                row = self.measure(api, day, since, released)
                results.append(row)
                with self.out.open("a") as fh:
                    fh.write(json.dumps(row) + "\n")
                say(
                    f"  day {k + 1:>2} {day}: cycle {row['cycle_s'] or 0:.0f}s, "
                    f"{row['rows_extracted']} rows, writes {row['writes']}, "
                    f"problems {row['problems']}"
                )
                since = time.time()
        finally:
            self.stack.down(quiet=True)
        return results

    def measure(self, api: Any, day: date, since: float, released: float) -> dict[str, Any]:
        found = {dag_id: runs(api, dag_id) for dag_id in DAGS}
        mine: dict[str, list[dict[str, Any]]] = {}
        for dag_id, dag_runs in found.items():
            if dag_id in EXTRACTS:
                mine[dag_id] = [
                    r
                    for r in dag_runs
                    if (r.get("data_interval_start") or "")[:10] == day.isoformat()
                ]
            else:
                mine[dag_id] = [r for r in dag_runs if _ts(r.get("queued_at")) >= since]
        ids = {(d, r["dag_run_id"]) for d, rs in mine.items() for r in rs}
        problems = [
            f"{t['dag_id']}.{t['task_id']} {t['state']}"
            for t in task_instances(api)
            if (t["dag_id"], t["dag_run_id"]) in ids and t["state"] != "success"
        ]
        problems += [
            f"{d} run {r['state']}" for d, rs in mine.items() for r in rs if r["state"] != "success"
        ]
        starts = [_ts(r["start_date"]) for d in EXTRACTS for r in mine[d]]
        ends = [_ts(r["end_date"]) for r in mine["consonance_sync"]]
        lake = self.s.lake
        reports = lake / "reports" / "runs" / day.isoformat()
        state = lake / "state" / "sync.sqlite"
        return {
            "day": day.isoformat(),
            "runs": {d: len(rs) for d, rs in mine.items()},
            "dag_s": {
                d: round(sum(_ts(r["end_date"]) - _ts(r["start_date"]) for r in rs), 1)
                for d, rs in mine.items()
            },
            "cycle_s": round(max(ends) - min(starts), 1) if starts and ends else None,
            "wait_s": round(min(starts) - released, 1) if starts else None,
            "rows_extracted": _rows(reports / "consonance_extract.json")
            + _rows(reports / "bytenite_extract.json", "snapshot", "metrics"),
            "writes": self.new_writes(),
            "bytes": {
                "lake": _size(lake / "raw") + _size(lake / "quarantine"),
                "warehouse": _size(lake / "warehouse" / "analytics.duckdb"),
                "state": _size(state) + _size(state.with_name("sync.sqlite-wal")),
                "airflow_db": pg_database_size(self.s),
            },
            "sync_log_rows": _count(state, "sync_log"),
            "sync_state_rows": _count(state, "sync_state"),
            "problems": problems,
        }


# --------------------------------------------------------------------------------------------
# RELIABILITY.md
# --------------------------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f}"


def render(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The soak section of RELIABILITY.md: targets, the table, a chart."""
    works, seconds, retention = meta["works"], meta["seconds"], meta["retention"]
    days = len(results)
    cycles = [r["cycle_s"] or 0.0 for r in results]
    day2, last = (cycles[1], cycles[-1]) if days > 1 else (cycles[0], cycles[0])
    problems = sum(len(r["problems"]) for r in results)
    state = [r["bytes"]["state"] for r in results]
    wh = [r["bytes"]["warehouse"] for r in results]
    lines = [
        BEGIN,
        f"`make soak DAYS={days}` ({works} works, the stack of `make deploy`: PostgreSQL, Redis, "
        f"two Celery workers; {seconds / 60:.0f} min on this 2-core machine, shared with other "
        "work). Each day is released on its own and run by the scheduler alone.",
        "",
        f"* Failed or stuck runs: **{problems}**"
        + (" (target: none)" if problems == 0 else " — target missed: none allowed"),
        f"* Day {days}'s cycle {last:.0f} s against day 2's {day2:.0f} s: "
        f"**{last / day2 if day2 else 0:.2f}×** (target ≤ 1.5×)",
        f"* `state/sync.sqlite` {_mb(state[0])} → {_mb(state[-1])} MB, the warehouse "
        f"{_mb(wh[0])} → {_mb(wh[-1])} MB over the month (growth per day in the table). "
        f"The per-call logs are kept {retention} days here (`sync.log_retention_days`, 90 by "
        "default) and pruned by each sync: `sync_log rows` stops growing with the runs.",
        "",
        "| day | cycle s | consonance_extract | bytenite_extract | warehouse_build | bytenite_sync | "
        "consonance_sync | rows extracted | writes ByteNite | writes Consonance | lake MB | "
        "warehouse MB | sync.sqlite MB | sync_log rows | Airflow DB MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(results, 1):
        d = r["dag_s"]
        lines.append(
            f"| {i} | {r['cycle_s']:.0f} | {d['consonance_extract']:.0f} | "
            f"{d['bytenite_extract']:.0f} | {d['warehouse_build']:.0f} | {d['bytenite_sync']:.0f} | "
            f"{d['consonance_sync']:.0f} | {r['rows_extracted']} | {r['writes']['bytenite']} | "
            f"{r['writes']['consonance']} | {_mb(r['bytes']['lake'])} | "
            f"{_mb(r['bytes']['warehouse'])} | {_mb(r['bytes']['state'])} | {r['sync_log_rows']} | "
            f"{_mb(r['bytes']['airflow_db'])} |"
        )
    axis = ", ".join(str(i) for i in range(1, days + 1))
    lines += [
        "",
        "```mermaid",
        "xychart-beta",
        '    title "Cycle time per day (s)"',
        f"    x-axis [{axis}]",
        '    y-axis "seconds"',
        f"    line [{', '.join(f'{c:.0f}' for c in cycles)}]",
        "```",
        "",
        "```mermaid",
        "xychart-beta",
        '    title "Sizes at the end of each day (MB): warehouse, lake, sync.sqlite"',
        f"    x-axis [{axis}]",
        '    y-axis "MB"',
        f"    line [{', '.join(_mb(r['bytes']['warehouse']) for r in results)}]",
        f"    line [{', '.join(_mb(r['bytes']['lake']) for r in results)}]",
        f"    line [{', '.join(_mb(r['bytes']['state']) for r in results)}]",
        "```",
        END,
    ]
    return "\n".join(lines)


def write_doc(doc: Path, section: str) -> None:
    text = doc.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## A month of operation (`make soak`)\n\n" + section + "\n"
    doc.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="titlevideo.local.soak", description=__doc__)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--works", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--log-retention-days",
        type=int,
        default=7,
        help="sync.log_retention_days for the soak (shorter than the default 90, so a month "
        "shows the per-call logs bounded)",
    )
    parser.add_argument("--doc", type=Path, default=DOC, help="the markdown file to update")
    parser.add_argument(
        "--render-only", action="store_true", help="rewrite the doc from .soak/soak.jsonl"
    )
    args = parser.parse_args(argv)
    from titlevideo.local.airflow import free_port

    home = PROJECT_ROOT / ".soak"
    if args.render_only:
        results = [json.loads(x) for x in (home / "soak.jsonl").read_text().splitlines() if x]
        meta = json.loads((home / "soak-meta.json").read_text())
        write_doc(args.doc, render(results, meta))
        return 0
    today = datetime.now(UTC).date()
    first = today - timedelta(days=args.days)
    redis_url = claim_redis_db("redis://127.0.0.1:6379")
    settings = Settings.from_env(
        home=home,
        lake=home / "lake",
        database="titlevideo_airflow_soak",
        redis_url=redis_url,
        port=free_port(),
        consonance_port=free_port(),
        bytenite_port=free_port(),
        seed=args.seed,
        works=args.works,
        schedule_start=first.isoformat(),
        schedule_end=first.isoformat(),
    )
    shutil.rmtree(home, ignore_errors=True)
    drop_database(settings)
    rules = yaml.safe_load(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))
    rules["sync"]["log_retention_days"] = args.log_retention_days
    home.mkdir(parents=True)
    (home / "rules.yaml").write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    settings.overrides["TITLEVIDEO_RULES"] = str(home / "rules.yaml")
    say(f"Soak: {args.days} days from {first}, {args.works} works, in {home} …")
    started = time.monotonic()
    try:
        results = Soak(settings, args.days).run()
    finally:
        release_redis_db(redis_url)
    seconds = time.monotonic() - started
    meta = {"works": args.works, "seconds": seconds, "retention": args.log_retention_days}
    (home / "soak-meta.json").write_text(json.dumps(meta))
    write_doc(args.doc, render(results, meta))
    say(f"Soak done in {seconds / 60:.0f} min; {args.doc} updated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
