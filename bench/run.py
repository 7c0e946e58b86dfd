"""``make bench``: the project against the tools users would pick instead, in one run.

    .venv/bin/python bench/run.py               # the full suite (see BENCHMARKS.md for its size)
    BENCH_QUICK=1 .venv/bin/python bench/run.py # small world, one run of each: a smoke test
    .venv/bin/python bench/run.py --only extract,dags

Sections (each measurement in its own fresh process, whose peak RSS is taken from the kernel
(``wait4``) and from sampling the process tree; emulators in their own processes too):

* ``extract`` — records/s and peak RSS of the project's extraction, of dlt's ``rest_api`` source
  (``.venv-bench``) and of the raw fetch of the same pages (plain ``requests``, parsed, discarded):
  the Consonance catalogue (GraphQL, keyset paging) and a window of ByteNite daily metrics
  (POST filter, offset paging), interleaved run by run;
* ``season`` — the project extracts a whole season once (the lake the warehouse sections use);
* ``warehouse`` — full season build and one-day incremental vs pandas' title-performance mart and
  DuckDB's raw scan of the same Parquet; the pandas mart is checked equal to the DuckDB one;
* ``writeback`` — write calls per changed entity and on no-change reruns (``bench/writeback.py``);
* ``dags`` — DAG parse time per file and for the folder, each in a fresh process.

Results: ``bench/results/<stamp>.json`` (+ ``latest.json``) and the generated table between the
markers in ``BENCHMARKS.md`` (a quick run writes ``bench/results/BENCHMARKS.quick.md`` instead).
Benchmarks are not tests: nothing here fails on a time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import requests
from procstat import vmhwm_mb

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
WORK = RESULTS / "work"
PY = str(ROOT / ".venv" / "bin" / "python")
PY_BENCH = str(ROOT / ".venv-bench" / "bin" / "python")
SECTIONS = ("extract", "season", "warehouse", "writeback", "dags")

CONSONANCE_KEY = "c0n50na9ce3mu1a70r5ec7e7k3y00042"
BYTENITE_KEY = "bytenite-emulator-key"


def settings(quick: bool) -> dict[str, Any]:
    """The suite's size. The world's 'today' is the day after the season, so every metric date
    of the season is history the analytics endpoint serves."""
    if quick:
        return {
            "quick": True,
            "works": 2_000,
            "season": ("2026-08-25", "2026-08-31"),
            "window": ("2026-08-31", "2026-08-31"),
            "today": "2026-09-01",
            "runs": 1,
            "writeback_works": 600,
        }
    return {
        "quick": False,
        "works": 50_000,
        # Summer 2026: 92 metric dates (a season = one quarter)
        "season": ("2026-06-01", "2026-08-31"),
        # the timed repetitions of the metric extraction: three days of the season
        "window": ("2026-08-29", "2026-08-31"),
        "today": "2026-09-01",
        "runs": 3,
        "writeback_works": 2_000,
    }


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    # This machine sets PYTHONDONTWRITEBYTECODE=1, which makes every process compile its imports
    # from source (great_expectations: 8 s instead of 4 s). A deployment has .pyc files; so do
    # the measured processes (the first run of each kind writes them; warm-up runs come first).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    env.setdefault("AIRFLOW_HOME", str(WORK / "airflow-home"))
    env["PYTHONPATH"] = str(ROOT)
    return env


def measure(cmd: list[str], *, log: Path, timeout: float = 3600) -> dict[str, Any]:
    """Run ``cmd``; return its last stdout line (JSON) plus wall time and peak RSS (MB).

    Peak RSS: the child's own high-water mark (``VmHWM``, per address space, so not polluted by
    the parent's pages between fork and exec as ``ru_maxrss`` is), read while it runs and
    reported by workers at their end, and the largest sum of RSS over the child's process tree
    sampled every 50 ms (in case a tool forks workers); the larger of these.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as err, open(log.with_suffix(".out"), "w+b") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, env=child_env())
        peak_tree = peak_hwm = 0.0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak_tree, peak_hwm
            try:
                root = psutil.Process(proc.pid)
            except psutil.Error:
                return
            while not stop.is_set():
                total = 0
                with contextlib.suppress(psutil.Error):
                    procs = [root, *root.children(recursive=True)]
                    for p in procs:
                        with contextlib.suppress(psutil.Error):
                            total += p.memory_info().rss
                peak_tree = max(peak_tree, total / 2**20)
                peak_hwm = max(peak_hwm, vmhwm_mb(proc.pid))
                stop.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        deadline = time.monotonic() + timeout
        status = None
        while status is None:
            pid, status_, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = status_
                break
            if time.monotonic() > deadline:
                proc.kill()
                raise TimeoutError(f"{cmd} ran past {timeout}s")
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        stop.set()
        sampler.join()
        out.seek(0)
        lines = out.read().decode().strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}); see {log}")
    result = json.loads(lines[-1])
    result["wall_s"] = wall
    result["peak_rss_mb"] = round(max(peak_tree, peak_hwm, result.get("vmhwm_mb") or 0), 1)
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    """One emulator in its own process (its own GIL), stopped by its pid."""

    def __init__(self, module: str, works: int, today: str, log: Path, *extra: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log, "ab")  # noqa: SIM115  (closed in stop)
        cmd = [PY, "-m", module, "--port", str(self.port), "--works", str(works), "--today", today]
        self.proc = subprocess.Popen(
            [*cmd, *extra], stdout=self._log, stderr=self._log, cwd=ROOT, env=child_env()
        )
        started = time.monotonic()
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/_emulator/health", timeout=2).ok:
                    break
            if self.proc.poll() is not None:
                raise RuntimeError(f"{module} exited; see {log}")
            if time.monotonic() - started > 300:
                raise TimeoutError(f"{module} did not start in 300 s")
            time.sleep(0.5)
        self.startup_s = round(time.monotonic() - started, 1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def write_job(name: str, job: dict[str, Any]) -> Path:
    path = WORK / "jobs" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(job))
    return path


def say(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------

TOOLS = ("raw", "project", "dlt")


def extraction(cfg: dict[str, Any], cons: Emulator, byte: Emulator) -> dict[str, Any]:
    from titlevideo.extract.consonance import WORKS_QUERY

    sources = {
        "consonance": {
            "base_url": cons.url,
            "api_key": CONSONANCE_KEY,
            "query": WORKS_QUERY,
            "day": cfg["today"],
        },
        "bytenite": {
            "base_url": byte.url,
            "api_key": BYTENITE_KEY,
            "first": cfg["window"][0],
            "last": cfg["window"][1],
        },
    }
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {s: {t: [] for t in TOOLS} for s in sources}
    # warm-up: the emulator computes and caches the window's days, .pyc files get written
    for source, spec in sources.items():
        job = write_job(f"warm-{source}", {"tool": "raw", "source": source, **spec, "out": ""})
        measure([PY, str(BENCH / "extract_worker.py"), str(job)], log=WORK / "logs" / "warm.log")
    for rep in range(cfg["runs"]):
        order = TOOLS[rep % 3 :] + TOOLS[: rep % 3]  # rotate who goes first
        for source, spec in sources.items():
            for tool in order:
                out = WORK / "extract" / f"{tool}-{source}"
                shutil.rmtree(out, ignore_errors=True)
                job = write_job(
                    f"{tool}-{source}", {"tool": tool, "source": source, **spec, "out": str(out)}
                )
                python = PY_BENCH if tool == "dlt" else PY
                res = measure(
                    [python, str(BENCH / "extract_worker.py"), str(job)],
                    log=WORK / "logs" / f"extract-{tool}-{source}.log",
                )
                res["records_per_s"] = res["records"] / res["seconds"]
                runs[source][tool].append(res)
                say(
                    f"extract {source:10s} {tool:7s} run {rep + 1}: {res['records']} records in "
                    f"{res['seconds']:.1f}s = {res['records_per_s']:.0f}/s, peak {res['peak_rss_mb']:.0f} MB"
                )
                shutil.rmtree(out, ignore_errors=True)
    summary: dict[str, Any] = {}
    for source, by_tool in runs.items():
        med = {
            t: {
                "records": by_tool[t][0]["records"],
                "seconds": median([r["seconds"] for r in by_tool[t]]),
                "records_per_s": median([r["records_per_s"] for r in by_tool[t]]),
                "peak_rss_mb": median([r["peak_rss_mb"] for r in by_tool[t]]),
                "rss_after_imports_mb": median([r["rss_after_imports_mb"] for r in by_tool[t]]),
                "rows_written": by_tool[t][0].get("rows_written"),
            }
            for t in TOOLS
        }
        p, d, raw = med["project"], med["dlt"], med["raw"]
        summary[source] = {
            "median": med,
            "project_vs_dlt_throughput": p["records_per_s"] / d["records_per_s"],
            "project_vs_dlt_peak_rss": p["peak_rss_mb"] / d["peak_rss_mb"],
            "project_vs_raw_throughput": p["records_per_s"] / raw["records_per_s"],
            "dlt_vs_raw_throughput": d["records_per_s"] / raw["records_per_s"],
            "runs": runs[source],
        }
    return summary


def season_extract(cfg: dict[str, Any], cons: Emulator, byte: Emulator, lake: Path) -> dict:
    """The project extracts the whole season once into ``lake`` (the warehouse sections' input)."""
    shutil.rmtree(lake, ignore_errors=True)
    job = write_job(
        "season",
        {
            "lake": str(lake),
            "today": cfg["today"],
            "first": cfg["season"][0],
            "last": cfg["season"][1],
            "consonance_url": cons.url,
            "consonance_key": CONSONANCE_KEY,
            "bytenite_url": byte.url,
            "bytenite_key": BYTENITE_KEY,
        },
    )
    res = measure([PY, str(BENCH / "season_worker.py"), str(job)], log=WORK / "logs" / "season.log")
    say(
        f"season extraction: {res['metric_rows']} metric rows over {res['metric_days']} days in "
        f"{res['metrics_s']:.0f}s = {res['metric_rows'] / res['metrics_s']:.0f} rows/s, "
        f"peak {res['peak_rss_mb']:.0f} MB"
    )
    return res


def warehouse(cfg: dict[str, Any], lake: Path) -> dict[str, Any]:
    def wh(task: str, name: str, **extra: Any) -> dict[str, Any]:
        job = write_job(
            name, {"task": task, "lake": str(lake), "out": str(WORK / "pandas"), **extra}
        )
        return measure(
            [PY, str(BENCH / "wh_worker.py"), str(job)], log=WORK / "logs" / f"wh-{task}.log"
        )

    day = cfg["season"][1]
    runs: dict[str, list[dict[str, Any]]] = {
        "scan": [],
        "full": [],
        "pandas": [],
        "incremental": [],
        "store": [],
    }

    def rewrite_day() -> None:
        # a daily run rewrites one metric date's partition (same content, new file): the next
        # build reloads exactly that date and carries the other dates over
        part = lake / "raw" / "bytenite" / "daily_metrics" / f"metric_date={day}" / "data.parquet"
        tmp = part.with_name(".data.parquet.tmp-bench")
        shutil.copyfile(part, tmp)
        os.replace(tmp, part)

    # warm-up: page cache, .pyc files; a first warehouse for export_dims
    wh("scan", "scan")
    runs_full_first = wh("build", "full", day=day, full_rebuild=True)
    dims = wh("export_dims", "export")
    for rep in range(cfg["runs"]):
        runs["scan"].append(wh("scan", "scan"))
        runs["store"].append(wh("store", "store"))
        runs["full"].append(wh("build", "full", day=day, full_rebuild=True))
        runs["pandas"].append(wh("pandas", "pandas", keep=rep == 0))
        rewrite_day()
        runs["incremental"].append(wh("build", "incremental", day=day, full_rebuild=False))
        say(
            "warehouse run {}: scan {:.2f}s, full build {:.1f}s (title-performance path {:.2f}s), "
            "pandas {:.1f}s, incremental {:.1f}s".format(
                rep + 1,
                runs["scan"][-1]["seconds"],
                runs["full"][-1]["seconds"],
                runs["full"][-1]["title_performance_path_s"],
                runs["pandas"][-1]["seconds"],
                runs["incremental"][-1]["seconds"],
            )
        )
    # The floor profile: the same one-day incremental with one dbt thread, so that each node's
    # time is its own (with 4 threads on 2 cores they overlap, and each includes the others' waits)
    rewrite_day()
    serial = wh("build", "serial", day=day, full_rebuild=False, threads=1)
    say(
        "serial one-day incremental {:.1f}s: parse {:.1f}s, models reading the fact {:.1f}s, "
        "the other models {:.1f}s, tests {:.1f}s".format(
            serial["seconds"],
            serial["dbt_parse_s"],
            serial["fact_models_s"],
            serial["snapshot_models_s"],
            serial["tests_s"],
        )
    )
    verify = wh("verify", "verify")
    say(f"pandas mart equals the DuckDB mart: {verify['equal']} {verify.get('problems') or ''}")

    def med(key: str, field: str) -> float:
        return median([r[field] for r in runs[key] if r.get(field) is not None])

    full_s, inc_s = med("full", "seconds"), med("incremental", "seconds")
    path_s, inc_path_s = (
        med("full", "title_performance_path_s"),
        med("incremental", "title_performance_path_s"),
    )
    pandas_s, scan_s = med("pandas", "seconds"), med("scan", "seconds")
    store_s = med("store", "seconds")
    return {
        "fact_rows": runs_full_first["fact_rows"],
        "dims": dims,
        "verify": verify,
        "median": {
            "scan_s": scan_s,
            "store_s": store_s,
            "full_build_s": full_s,
            "full_models_s": med("full", "models_s"),
            "full_title_performance_path_s": path_s,
            "full_tests_s": med("full", "tests_s"),
            "full_quality_s": med("full", "quality_s"),
            "gx_import_s": med("full", "gx_import_s"),
            "full_dbt_parse_s": med("full", "dbt_parse_s"),
            "full_dbt_docs_s": med("full", "dbt_docs_s"),
            "incremental_dbt_parse_s": med("incremental", "dbt_parse_s"),
            "incremental_dbt_build_s": med("incremental", "dbt_build_s"),
            "incremental_dbt_docs_s": med("incremental", "dbt_docs_s"),
            "incremental_build_s": inc_s,
            "incremental_models_s": med("incremental", "models_s"),
            "incremental_title_performance_path_s": inc_path_s,
            "incremental_tests_s": med("incremental", "tests_s"),
            "incremental_quality_s": med("incremental", "quality_s"),
            "pandas_s": pandas_s,
            "pandas_peak_rss_mb": med("pandas", "peak_rss_mb"),
            "full_peak_rss_mb": med("full", "peak_rss_mb"),
            "incremental_peak_rss_mb": med("incremental", "peak_rss_mb"),
            "scan_peak_rss_mb": med("scan", "peak_rss_mb"),
        },
        "ratios": {
            "pandas_vs_title_performance_path": pandas_s / path_s,
            "pandas_vs_full_build": pandas_s / full_s,
            "title_performance_path_vs_scan": path_s / scan_s,
            "full_build_vs_scan": full_s / scan_s,
            "full_vs_incremental": full_s / inc_s,
        },
        "runs": runs,
        "serial": serial,
    }


def writeback(cfg: dict[str, Any]) -> dict[str, Any]:
    works, today = cfg["writeback_works"], cfg["today"]
    cons = Emulator("emulators.consonance", works, today, WORK / "logs" / "wb-consonance.log")
    byte = Emulator(
        "emulators.bytenite",
        works,
        today,
        WORK / "logs" / "wb-bytenite.log",
        "--rate-limit",
        "0",
        "--job-step-seconds",
        "0.05",
    )
    try:
        lake = WORK / "writeback-lake"
        shutil.rmtree(lake, ignore_errors=True)
        job = write_job(
            "writeback",
            {
                "lake": str(lake),
                "day": today,
                "consonance_url": cons.url,
                "consonance_key": CONSONANCE_KEY,
                "bytenite_url": byte.url,
                "bytenite_key": BYTENITE_KEY,
                "changed_works": 10,
            },
        )
        res = measure(
            [PY, str(BENCH / "writeback.py"), str(job)], log=WORK / "logs" / "writeback.log"
        )
    finally:
        cons.stop()
        byte.stop()
    res["works"] = works
    ch = res["change"]
    say(
        f"write-back: converged={res['converged']} in {len(res['converge'])} cycles; no-change rerun "
        f"{sum(res['no_change_rerun']['writes'].values())} writes; {ch['changed_works']} titles changed -> "
        f"{sum(ch['writes'].values())} writes for {ch['entities_changed']} entities "
        f"({ch['calls_per_entity']} per entity, {ch['writes_to_unrelated_objects']} unrelated); "
        f"rerun after {sum(res['no_change_after']['writes'].values())}"
    )
    return res


def dags(cfg: dict[str, Any]) -> dict[str, Any]:
    files = sorted(p for p in (ROOT / "dags").glob("*.py") if not p.name.startswith("_"))
    targets = [*files, ROOT / "dags"]
    # warm-up (writes .pyc files, as a deployment has them)
    measure([PY, str(BENCH / "dag_parse.py"), str(ROOT / "dags")], log=WORK / "logs" / "dags.log")
    runs: dict[str, list[dict[str, Any]]] = {t.name: [] for t in targets}
    for _ in range(max(cfg["runs"], 3)):
        for t in targets:
            runs[t.name].append(
                measure([PY, str(BENCH / "dag_parse.py"), str(t)], log=WORK / "logs" / "dags.log")
            )
    out = {
        name: {
            "parse_s": median([r["seconds"] for r in rs]),
            "process_wall_s": median([r["wall_s"] for r in rs]),
            "dags": rs[0]["dags"],
            "import_errors": rs[0]["import_errors"],
        }
        for name, rs in runs.items()
    }
    for name, r in out.items():
        say(f"DAG parse {name:24s} {r['parse_s']:.3f}s (process {r['process_wall_s']:.1f}s)")
    return out


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import importlib.metadata as md

    def version(dist: str, python: str = PY) -> str | None:
        code = f"import importlib.metadata as m; print(m.version({dist!r}))"
        done = subprocess.run([python, "-c", code], capture_output=True, text=True)
        return done.stdout.strip() or None

    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_avg_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "versions": {
            "duckdb": md.version("duckdb"),
            "pyarrow": md.version("pyarrow"),
            "pandas": md.version("pandas"),
            "requests": md.version("requests"),
            "great_expectations": md.version("great_expectations"),
            "apache-airflow": md.version("apache-airflow"),
            "dlt": version("dlt", PY_BENCH),
        },
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument(
        "--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1"
    )
    args = parser.parse_args()
    only = [s for s in args.only.split(",") if s]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    cfg = settings(args.quick)
    if os.environ.get("BENCH_RUNS"):  # fewer (or more) timed repetitions, e.g. on a loaded machine
        cfg["runs"] = max(1, int(os.environ["BENCH_RUNS"]))
    global WORK
    # a quick run has its own work folder: it must not replace the full run's season lake
    WORK = RESULTS / ("work-quick" if cfg["quick"] else "work")
    sys.path.insert(0, str(ROOT))
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict[str, Any] = {"settings": cfg, "machine": machine()}
    say(f"bench: {'QUICK ' if cfg['quick'] else ''}{cfg} on {results['machine']['cpu']}")
    lake = WORK / "season-lake"
    try:
        if {"extract", "season"} & set(only) or ("warehouse" in only and not lake.exists()):
            say(f"starting the emulators ({cfg['works']} works) in their own processes")
            cons = Emulator(
                "emulators.consonance", cfg["works"], cfg["today"], WORK / "logs" / "consonance.log"
            )
            byte = Emulator(
                "emulators.bytenite",
                cfg["works"],
                cfg["today"],
                WORK / "logs" / "bytenite.log",
                "--rate-limit",
                "0",
            )
            results["emulator_startup_s"] = {
                "consonance": cons.startup_s,
                "bytenite": byte.startup_s,
            }
            try:
                if "extract" in only:
                    results["extract"] = extraction(cfg, cons, byte)
                if "season" in only or ("warehouse" in only and not lake.exists()):
                    results["season"] = season_extract(cfg, cons, byte, lake)
            finally:
                cons.stop()
                byte.stop()
        if "warehouse" in only:
            results["warehouse"] = warehouse(cfg, lake)
        if "writeback" in only:
            results["writeback"] = writeback(cfg)
        if "dags" in only:
            results["dags"] = dags(cfg)
    finally:
        results["total_s"] = round(time.perf_counter() - started, 1)
        results["sections_run"] = {s: results["machine"]["when"] for s in only if s in results}
        latest = RESULTS / ("latest-quick.json" if cfg["quick"] else "latest.json")
        if set(only) != set(SECTIONS) and latest.exists():
            # a partial run updates its sections of the last results; the rest keep theirs
            previous = json.loads(latest.read_text())
            if previous.get("settings", {}).get("quick") == cfg["quick"]:
                merged = {**previous, **{k: v for k, v in results.items() if k in SECTIONS}}
                merged["machine"] = results["machine"]
                merged["sections_run"] = {
                    **previous.get("sections_run", {}),
                    **results["sections_run"],
                }
                merged["partial_runs"] = [
                    *previous.get("partial_runs", []),
                    {"sections": only, "total_s": results["total_s"]},
                ]
                results = merged
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}{'-quick' if cfg['quick'] else ''}.json"
        text = json.dumps(results, indent=2, default=str)
        (RESULTS / name).write_text(text)
        latest.write_text(text)
        say(f"results: bench/results/{name} ({results['total_s']:.0f}s)")
    from report import render_into

    target = RESULTS / "BENCHMARKS.quick.md" if cfg["quick"] else ROOT / "BENCHMARKS.md"
    render_into(target, results)
    say(f"table: {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
