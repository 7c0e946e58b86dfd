"""Headless Chromium for the report tests, driven by Playwright: open a local page offline, wait
until report.js has drawn it, read its DOM as a small tree, its plotly data, its downloads.

Debian's ``/usr/bin/chromium`` (Playwright's own browser builds are never downloaded), with the
flags this machine is known to need (no sandbox as root, no GPU, no background networking). No
skip when it is missing: the test fails and says how to install it (``.ci/run`` installs it).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--no-first-run",
]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None and Path("/usr/bin/chromium").exists():
        path = "/usr/bin/chromium"
    if path is None:
        pytest.fail(
            "Chromium is not installed, and the report test renders the page in it: "
            "`apt-get install -y chromium` (Debian's package; the CI script .ci/run installs it)",
            pytrace=False,
        )
    return path


@contextlib.contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Opened:
    """A page opened from disk: what it logged, what it tried to fetch from elsewhere."""

    page: Any
    console: list[tuple[str, str]] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)

    def drawn(self, times: int = 1, timeout: float = 60) -> None:
        """Wait until report.js has drawn the page ``times`` times (each filter change is one)."""
        self.page.wait_for_function(
            f"Number(document.body.dataset.drawn || 0) >= {times}", timeout=timeout * 1000
        )

    def dom(self) -> Element:
        return parse(self.page.content())

    def plot(self, plot_id: str) -> list[dict[str, Any]]:
        """The traces plotly holds for a chart (x, y, name, yaxis), as the page drew them."""
        return self.page.evaluate(
            """id => (document.getElementById(id).data || []).map(t => ({
                x: Array.from(t.x || []), y: Array.from(t.y || []), name: t.name || null,
                type: t.type, yaxis: t.yaxis || 'y'}))""",
            plot_id,
        )


def open_page(
    b: Any, page: Path, *, accept_downloads: bool = True, scripted: bool = True
) -> Opened:
    """Open ``page`` from disk in a fresh context: every request that is not ``file:`` is
    refused and recorded, every console message recorded; waits for the first drawing
    (``scripted=False``: a page without script, waits for its load event only)."""
    context = b.new_context(
        accept_downloads=accept_downloads, viewport={"width": 1280, "height": 1600}
    )
    opened = Opened(context.new_page())

    def route(r: Any) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            opened.remote.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    opened.page.on("console", lambda m: opened.console.append((m.type, m.text)))
    opened.page.on("pageerror", lambda e: opened.console.append(("pageerror", str(e))))
    opened.page.goto(page.resolve().as_uri(), wait_until="load")
    if scripted:
        opened.drawn()
    return opened


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    #: elements and text, in document order
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        """Descendants (not self) with the tag and/or every class of ``cls`` (space-separated)."""
        want = set(cls.split()) if cls else set()
        return [
            e
            for e in self.iter()
            if e is not self and (tag is None or e.tag == tag) and want <= e.classes
        ]

    def by_id(self, element_id: str) -> Element | None:
        return next((e for e in self.iter() if e.attrs.get("id") == element_id), None)

    def text(self) -> str:
        """The text inside, in document order, whitespace collapsed."""
        parts: list[str] = []

        def walk(el: Element) -> None:
            for child in el.children:
                if isinstance(child, Element):
                    walk(child)
                else:
                    parts.append(child)

        walk(self)
        return " ".join("".join(parts).split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        el = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if self.stack[-1].tag not in ("script", "style"):
            self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def drawn_traces(plot: Element) -> list[tuple[str, int]]:
    """(kind, data points drawn) per trace of a rendered plotly div, in drawing order:
    ``("bar", n)`` counts bars with a drawn path, ``("scatter", n)`` counts marker points."""
    out = []
    for trace in plot.find_all("g", "trace"):
        if "bars" in trace.classes:
            bars = [
                p
                for p in trace.find_all("g", "point")
                if any(path.attrs.get("d", "M0,0Z") != "M0,0Z" for path in p.find_all("path"))
            ]
            out.append(("bar", len(bars)))
        elif "scatter" in trace.classes:
            out.append(("scatter", len(trace.find_all("path", "point"))))
    return out
