"""The warehouse catalogue (dbt docs as one static file) renders offline in Chromium, lists every
mart and rev_ model, and draws the lineage from the raw sources to the rev_ models.

Built on the reference lake with the whole dbt project. What the page must show is read from the
built warehouse file (duckdb_tables) and the lake (its raw entities), not from the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.e2e._browser import browser, parse
from tests.fixtures.lake.reflake import D3, write_reference_lake
from titlevideo.config import Rules
from titlevideo.warehouse import catalogue
from titlevideo.warehouse.build import build_warehouse

pytestmark = pytest.mark.e2e

#: dbt-docs' own page has URLs left as templates (the favicon's ``${require(...)}``, an
#: ``<svg><use xlink:href="{{ getIcon(...) }}">`` requested before Angular fills it in): the
#: browser asks for a file of that name beside the page, finds none, and says so in the console.
#: No effect on the page; every other failed file or console error fails the test.
DBT_DOCS_ICON_NOISE = "%7B"  # an unrendered "{" in the file name


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ref = write_reference_lake(tmp_path_factory.mktemp("catalogue"))
    lake = ref.builder.lake
    build_warehouse(lake, day=D3, rules=Rules(), validate=None)
    con = duckdb.connect(str(lake.warehouse), read_only=True)
    try:
        tables = {
            schema: [
                t
                for (t,) in con.execute(
                    "select table_name from duckdb_tables() where schema_name = ? order by 1",
                    [schema],
                ).fetchall()
            ]
            for schema in ("marts", "reverse")
        }
    finally:
        con.close()
    raw = sorted(
        f"{s.name}.{e.name}" for s in lake.raw.iterdir() if s.is_dir() for e in s.iterdir()
    )
    return {"page": catalogue.path(lake.reports), "tables": tables, "raw": raw}


def _open(b: Any, page: Path, fragment: str = "") -> tuple[Any, list[str], list[tuple[str, str]]]:
    """Open the page from disk: requests off the disk refused and listed, console listed, and
    every file that failed to load listed in the console as ("requestfailed", url)."""
    context = b.new_context(viewport={"width": 1400, "height": 1000})
    remote: list[str] = []
    console: list[tuple[str, str]] = []

    def route(r: Any) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            remote.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    p = context.new_page()
    p.on("console", lambda m: console.append((m.type, m.text)))
    p.on("pageerror", lambda e: console.append(("pageerror", str(e))))
    p.on("requestfailed", lambda r: console.append(("requestfailed", r.url)))
    p.goto(page.resolve().as_uri() + fragment)
    p.wait_for_function("() => document.body.innerText.includes('titlevideo')", timeout=60_000)
    return p, remote, console


def _squeezed(page: Any) -> str:
    """The page's text without whitespace (the docs app breaks names across highlight spans)."""
    return "".join(parse(page.content()).text().split())


def test_the_catalogue_renders_offline_and_lists_every_mart(built):
    tables = built["tables"]
    assert len(tables["marts"]) >= 12 and len(tables["reverse"]) >= 6
    with browser() as b:
        page, remote, console = _open(b, built["page"])
        for folder in ("titlevideo", "models", "marts", "reverse"):
            page.locator(f"text={folder} >> visible=true").first.click()
        text = _squeezed(page)
        for name in tables["marts"] + tables["reverse"]:
            assert name in text, f"{name} is not listed in the catalogue's project tree"
        # a mart's own page: its description and columns with DuckDB's types (the catalogue)
        page.goto(
            built["page"].resolve().as_uri() + "#!/model/model.titlevideo.mart_title_performance"
        )
        page.wait_for_function("() => document.body.innerText.includes('completion_rate')")
        body = parse(page.content()).text()
        assert "Title video performance" in body and "DOUBLE" in body and "BIGINT" in body
    assert remote == []
    failed = [url for kind, url in console if kind == "requestfailed"]
    assert [u for u in failed if DBT_DOCS_ICON_NOISE not in u] == []
    errors = [
        text
        for kind, text in console
        if kind in ("error", "pageerror")
        and DBT_DOCS_ICON_NOISE not in text
        # the browser's line for each failed request above (it does not name the file)
        and not (failed and text == "Failed to load resource: net::ERR_FILE_NOT_FOUND")
    ]
    assert errors == []


def test_the_lineage_runs_from_the_raw_sources_to_every_rev_model(built):
    with browser() as b:
        page, remote, _ = _open(
            b, built["page"], "#!/model/model.titlevideo.rev_bytenite__placements"
        )
        page.wait_for_function("() => document.body.innerText.includes('Depends On')")
        # the graph the page draws its lineage from
        edges = page.evaluate(
            """() => {
                const g = angular.element(document.body).injector().get('graph').graph.pristine;
                return Object.values(g.edges).flat().map(e => [e.data.source, e.data.target]);
            }"""
        )
    assert remote == []
    parents: dict[str, set[str]] = {}
    for source, target in edges:
        parents.setdefault(target, set()).add(source)

    def ancestors(node: str) -> set[str]:
        seen: set[str] = set()
        todo = [node]
        while todo:
            for p in parents.get(todo.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return seen

    reached: set[str] = set()
    for name in built["tables"]["reverse"]:
        raw = {a.removeprefix("source.titlevideo.") for a in ancestors(f"model.titlevideo.{name}")}
        raw = {a for a in raw if a in built["raw"]}
        assert raw, f"{name} has no raw source upstream in the lineage"
        reached |= raw
    # every raw entity of the lake feeds some rev_ model
    assert reached == set(built["raw"])
