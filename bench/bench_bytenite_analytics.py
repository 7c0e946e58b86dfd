"""Benchmark: serve whole days of ByteNite analytics over HTTP, paging with limit 1000.

Shows that a 50,000-work catalogue serves a day of daily metrics with bounded memory: the rows
of a day are computed vectorised (numpy), kept as compact columns for a few dates only, and only
the page being sent becomes Python objects. Each world size runs in its own process (so peak RSS
belongs to that size alone); the small world is the baseline measured in the same run, and the
report gives ratios against it. Not a test: it never fails on a time.

    .venv/bin/python bench/bench_bytenite_analytics.py                 # 50,000 works vs 2,000
    .venv/bin/python bench/bench_bytenite_analytics.py --works 10000 --days 2
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from procstat import rss_mb

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 27)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(works: int, first: date, days: int, limit: int) -> dict:
    """In this process: build the emulator, serve ``days`` whole days, report."""
    sys.path.insert(0, str(ROOT))
    import requests

    from emulators.bytenite import DEFAULT_API_KEY, ServerThread, create_app

    base_rss = rss_mb()
    started = time.perf_counter()
    state, app = create_app(works=works, today=TODAY, rate_limit=0)
    startup = time.perf_counter() - started
    out: dict = {
        "works": works,
        "assets": len(state.assets),
        "placements": len(state.placements),
        "startup_s": round(startup, 2),
        "rss_before_mb": round(base_rss, 1),
        "rss_after_startup_mb": round(rss_mb(), 1),
        "days": [],
    }
    with ServerThread(app) as server, requests.Session() as http:
        token = http.post(
            f"{server.url}/v1/auth/access_token", json={"apiKey": DEFAULT_API_KEY}, timeout=30
        ).json()["token"]
        for n in range(days):
            day = (first - timedelta(days=n)).isoformat()
            t0 = time.perf_counter()
            rows = pages = 0
            offset = 0
            total = None
            while True:
                body = {
                    "dateRange": {"from": day, "to": day},
                    "pagination": {"limit": limit, "offset": offset},
                }
                r = http.post(
                    f"{server.url}/v1/customer/analytics/daily",
                    json=body,
                    headers={"Authorization": token},
                    timeout=120,
                )
                r.raise_for_status()
                page = r.json()
                total = page["pagination"]["total"] if total is None else total
                rows += len(page["data"])
                pages += 1
                if not page["pagination"]["hasNext"]:
                    break
                offset += len(page["data"])
            seconds = time.perf_counter() - t0
            assert rows == total, (rows, total)
            out["days"].append(
                {
                    "date": day,
                    "rows": rows,
                    "pages": pages,
                    "seconds": round(seconds, 2),
                    "rows_per_s": round(rows / seconds),
                    "rss_mb": round(rss_mb(), 1),
                    "peak_rss_mb": round(peak_mb(), 1),
                }
            )
    out["peak_rss_mb"] = round(peak_mb(), 1)
    out["cached_day_mb"] = round(
        max((d.nbytes for d in state.analytics._cache.values()), default=0) / 2**20, 1
    )
    return out


def child(works: int, first: date, days: int, limit: int) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        "--works",
        str(works),
        "--date",
        first.isoformat(),
        "--days",
        str(days),
        "--limit",
        str(limit),
    ]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--works", type=int, default=50_000)
    parser.add_argument("--baseline-works", type=int, default=2_000)
    parser.add_argument(
        "--date", type=date.fromisoformat, default=date(2026, 8, 12), help="last day served"
    )
    parser.add_argument(
        "--days", type=int, default=3, help="distinct days served one after the other"
    )
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.works, args.date, args.days, args.limit)))
        return

    results = [
        child(w, args.date, args.days, args.limit) for w in (args.baseline_works, args.works)
    ]
    print(
        f"ByteNite analytics: whole days paged with limit {args.limit} over HTTP (one process per world)\n"
    )
    header = f"{'works':>7} {'assets':>7} {'placem.':>8} {'startup':>8} {'day':>10} {'rows':>8} {'pages':>6} {'seconds':>8} {'rows/s':>8} {'RSS MB':>7} {'peak MB':>8}"
    print(header)
    print("-" * len(header))
    for res in results:
        for n, d in enumerate(res["days"]):
            lead = (
                f"{res['works']:>7} {res['assets']:>7} {res['placements']:>8} {res['startup_s']:>7.1f}s"
                if n == 0
                else " " * 32
            )
            print(
                f"{lead} {d['date']:>10} {d['rows']:>8} {d['pages']:>6} {d['seconds']:>8.2f} {d['rows_per_s']:>8} {d['rss_mb']:>7.0f} {d['peak_rss_mb']:>8.0f}"
            )
    base, big = results
    mean = lambda res, key: sum(d[key] for d in res["days"]) / len(res["days"])  # noqa: E731
    print()
    print(
        f"rows/day        {mean(big, 'rows') / mean(base, 'rows'):6.1f}x the {base['works']}-work baseline ({big['works'] / base['works']:.0f}x the works)"
    )
    print(
        f"rows/s          {mean(big, 'rows_per_s') / mean(base, 'rows_per_s'):6.2f}x the baseline"
    )
    print(f"seconds/day     {mean(big, 'seconds') / mean(base, 'seconds'):6.1f}x the baseline")
    print(
        f"startup         {big['startup_s'] / max(base['startup_s'], 1e-9):6.1f}x the baseline ({big['startup_s']:.1f}s vs {base['startup_s']:.1f}s)"
    )
    grow = big["days"][-1]["rss_mb"] - big["days"][0]["rss_mb"]
    print(
        f"peak RSS        {big['peak_rss_mb']:.0f} MB ({big['peak_rss_mb'] / base['peak_rss_mb']:.1f}x the baseline); "
        f"RSS after startup {big['rss_after_startup_mb']:.0f} MB; RSS change from day 1 to day {len(big['days'])}: {grow:+.0f} MB"
    )
    print(f"largest cached day of rows: {big['cached_day_mb']} MB (at most 3 days are cached)")


if __name__ == "__main__":
    main()
