"""One extraction run in this process, for :mod:`bench.run` (which measures its peak RSS).

    python bench/extract_worker.py JOB.json

``JOB.json`` says the tool, the source, the endpoint and where to write. Tools:

* ``project`` — this project's extraction (``extract_consonance`` / ``extract_bytenite_metrics``)
  into a fresh lake; needs ``.venv``.
* ``raw`` — the same pages with plain ``requests``, parsed and discarded (the upper bound);
  runs in ``.venv`` or ``.venv-bench``.
* ``dlt`` — dlt's ``rest_api`` source pulling the same endpoints into Parquet on the
  ``filesystem`` destination with default settings; needs ``.venv-bench``.

Prints one JSON line: records (works for Consonance, metric rows for ByteNite), pages, seconds
(the whole run, setup included), and the RSS after imports (so the parent can tell working memory
from interpreter + libraries).
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from procstat import rss_mb, vmhwm_mb

ROOT = Path(__file__).resolve().parent.parent


def days(first: str, last: str) -> list[str]:
    d, end = date.fromisoformat(first), date.fromisoformat(last)
    out = []
    while d <= end:
        out.append(d.isoformat())
        d += timedelta(days=1)
    return out


def bytenite_token(http: Any, base_url: str, api_key: str) -> str:
    r = http.post(f"{base_url}/v1/auth/access_token", json={"apiKey": api_key}, timeout=30)
    r.raise_for_status()
    return r.json()["token"]


# ---- raw: the same pages, parsed and thrown away ---------------------------------------------


def raw_consonance(job: dict[str, Any]) -> dict[str, Any]:
    import requests

    headers = {"Authorization": f"Bearer {job['api_key']}", "Content-Type": "application/json"}
    records = pages = 0
    after = None
    with requests.Session() as http:
        while True:
            search: dict[str, Any] = {} if after is None else {"after": after}
            body = {
                "query": job["query"],
                "variables": {"workSearch": search, "productSearch": None},
                "operationName": "ExtractWorks",
            }
            r = http.post(f"{job['base_url']}/graphql", json=body, headers=headers, timeout=60)
            r.raise_for_status()
            works = r.json()["data"]["works"]
            pages += 1
            if not works:
                break
            records += len(works)
            after = works[-1]["id"]
    return {"records": records, "pages": pages}


def raw_bytenite(job: dict[str, Any]) -> dict[str, Any]:
    import requests

    records = pages = 0
    with requests.Session() as http:
        token = bytenite_token(http, job["base_url"], job["api_key"])
        for day in days(job["first"], job["last"]):
            offset = 0
            while True:
                body = {
                    "dateRange": {"from": day, "to": day},
                    "pagination": {"limit": 1000, "offset": offset},
                }
                r = http.post(
                    f"{job['base_url']}/v1/customer/analytics/daily",
                    json=body,
                    headers={"Authorization": token},
                    timeout=60,
                )
                r.raise_for_status()
                page = r.json()
                pages += 1
                records += len(page["data"])
                if not page["data"] or not page["pagination"]["hasNext"]:
                    break
                offset += len(page["data"])
    return {"records": records, "pages": pages}


# ---- the project -----------------------------------------------------------------------------


def project_consonance(job: dict[str, Any]) -> dict[str, Any]:
    from titlevideo.config import Lake
    from titlevideo.connections import Endpoint
    from titlevideo.extract.consonance import extract_consonance

    lake = Lake(Path(job["out"]))
    endpoint = Endpoint("consonance_default", job["base_url"], job["api_key"])
    summary = extract_consonance(
        endpoint,
        lake,
        date.fromisoformat(job["day"]),
        mode="full",
        today=date.fromisoformat(job["day"]),
    )
    ents = summary["entities"]
    return {
        "records": ents["works"]["written"],
        "pages": summary["pages"],
        "rows_written": {k: v["written"] for k, v in ents.items()},
        "quarantined": sum(v["quarantined"] for v in ents.values()),
    }


def project_bytenite(job: dict[str, Any]) -> dict[str, Any]:
    from titlevideo.config import Lake
    from titlevideo.connections import Endpoint
    from titlevideo.extract.bytenite import extract_bytenite_metrics

    lake = Lake(Path(job["out"]))
    endpoint = Endpoint("bytenite_default", job["base_url"], job["api_key"])
    summaries = extract_bytenite_metrics(
        endpoint, lake, date.fromisoformat(job["first"]), date.fromisoformat(job["last"])
    )
    written = sum(s["entities"]["daily_metrics"]["written"] for s in summaries)
    quarantined = sum(s["entities"]["daily_metrics"]["quarantined"] for s in summaries)
    return {
        "records": written + quarantined,
        "pages": sum(s["requests"] for s in summaries[-1:]),
        "rows_written": {"daily_metrics": written},
        "quarantined": quarantined,
    }


# ---- dlt rest_api ----------------------------------------------------------------------------


def _dlt_pipeline(job: dict[str, Any], name: str) -> Any:
    import dlt

    out = Path(job["out"])
    return dlt.pipeline(
        pipeline_name=name,
        pipelines_dir=str(out / "_dlt_pipelines"),
        destination=dlt.destinations.filesystem(bucket_url=str(out / "lake")),
        dataset_name=name,
    )


def _dlt_rows(pipeline: Any, load_info: Any) -> dict[str, int]:
    trace = pipeline.last_trace
    counts: dict[str, int] = {}
    for step in trace.steps:
        if step.step == "normalize" and step.step_info is not None:
            for table, n in step.step_info.row_counts.items():
                if not table.startswith("_dlt"):
                    counts[table] = counts.get(table, 0) + n
    return counts


def dlt_consonance(job: dict[str, Any]) -> dict[str, Any]:
    from dlt.sources.helpers.rest_client.paginators import BasePaginator
    from dlt.sources.rest_api import rest_api_source

    class AfterCursor(BasePaginator):
        """Consonance keyset paging: the next page is ``after: <last id>`` in the JSON body;
        the pass ends on an empty page (the page size is the server's)."""

        def __init__(self) -> None:
            super().__init__()
            self.after: int | None = None
            self.pages = 0

        def update_state(self, response: Any, data: list[Any] | None = None) -> None:
            self.pages += 1
            if not data:
                self._has_next_page = False
            else:
                self.after = data[-1]["id"]

        def update_request(self, request: Any) -> None:
            request.json["variables"]["workSearch"]["after"] = self.after

    paginator = AfterCursor()
    # rest_api expands str.format placeholders in the JSON body, so a GraphQL document's braces
    # must be doubled.
    query = job["query"].replace("{", "{{").replace("}", "}}")
    source = rest_api_source(
        {
            "client": {
                "base_url": job["base_url"],
                "headers": {"Authorization": f"Bearer {job['api_key']}"},
            },
            "resources": [
                {
                    "name": "works",
                    "primary_key": "id",
                    "write_disposition": "replace",
                    "endpoint": {
                        "path": "graphql",
                        "method": "POST",
                        "json": {
                            "query": query,
                            "operationName": "ExtractWorks",
                            "variables": {"workSearch": {}, "productSearch": None},
                        },
                        "data_selector": "data.works",
                        "paginator": paginator,
                    },
                }
            ],
        }
    )
    pipeline = _dlt_pipeline(job, "consonance")
    info = pipeline.run(source, loader_file_format="parquet")
    rows = _dlt_rows(pipeline, info)
    return {"records": rows.get("works", 0), "pages": paginator.pages, "rows_written": rows}


def dlt_bytenite(job: dict[str, Any]) -> dict[str, Any]:
    import requests
    from dlt.sources.helpers.rest_client.paginators import OffsetPaginator
    from dlt.sources.rest_api import rest_api_source

    with requests.Session() as http:
        token = bytenite_token(http, job["base_url"], job["api_key"])
    paginators = []
    resources = []
    for day in days(job["first"], job["last"]):
        paginator = OffsetPaginator(
            limit=1000,
            offset_body_path="pagination.offset",
            limit_body_path="pagination.limit",
            total_path="pagination.total",
            has_more_path="pagination.hasNext",
        )
        paginators.append(paginator)
        resources.append(
            {
                "name": f"daily_metrics_{day.replace('-', '_')}",
                "table_name": "daily_metrics",
                "write_disposition": "append",
                "endpoint": {
                    "path": "v1/customer/analytics/daily",
                    "method": "POST",
                    "json": {
                        "dateRange": {"from": day, "to": day},
                        "pagination": {"limit": 1000, "offset": 0},
                    },
                    "data_selector": "data",
                    "paginator": paginator,
                },
            }
        )
    source = rest_api_source(
        {
            "client": {"base_url": job["base_url"], "headers": {"Authorization": token}},
            "resources": resources,
        }
    )
    pipeline = _dlt_pipeline(job, "bytenite")
    info = pipeline.run(source, loader_file_format="parquet")
    rows = _dlt_rows(pipeline, info)
    return {"records": rows.get("daily_metrics", 0), "pages": None, "rows_written": rows}


TOOLS = {
    ("raw", "consonance"): raw_consonance,
    ("raw", "bytenite"): raw_bytenite,
    ("project", "consonance"): project_consonance,
    ("project", "bytenite"): project_bytenite,
    ("dlt", "consonance"): dlt_consonance,
    ("dlt", "bytenite"): dlt_bytenite,
}


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text())
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    fn = TOOLS[(job["tool"], job["source"])]
    # import what the tool needs before the clock starts (every tool pays its own imports once)
    if job["tool"] == "dlt":
        import dlt  # noqa: F401
        from dlt.sources.rest_api import rest_api_source  # noqa: F401
    elif job["tool"] == "project":
        import pandas  # noqa: F401  (pyarrow imports it on its first conversion)

        import titlevideo.extract.bytenite
        import titlevideo.extract.consonance  # noqa: F401
        from titlevideo import codes

        codes.country_codes()  # pycountry's tables, loaded once per process
        codes.currency_codes()
    import requests  # noqa: F401

    rss_after_imports = rss_mb()
    profile = job.get("profile")
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
    started = time.perf_counter()
    result = fn(job)
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.stop()
        Path(profile).write_text(profiler.output_text(unicode=False, color=False, show_all=False))
    result.update(
        {
            "seconds": seconds,
            "rss_after_imports_mb": rss_after_imports,
            "vmhwm_mb": vmhwm_mb(),
        }
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
