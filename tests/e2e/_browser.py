"""Headless Chromium for the report tests: render a local page, return its DOM as a small tree.

Debian's ``/usr/bin/chromium`` with the flags this machine is known to need (no sandbox as root,
no background networking, a fresh profile). No skip when it is missing: the test fails and says
how to install it (the CI script ``.ci/run`` installs it).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

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


def dump_dom(page: Path, *, budget_ms: int = 15000, timeout: float = 120) -> str:
    """The DOM of ``page`` after its scripts ran (``--dump-dom``), as HTML text."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        proc = subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--window-size=1280,2400",
                f"--virtual-time-budget={budget_ms}",
                "--dump-dom",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    assert proc.returncode == 0 and proc.stdout.strip(), (
        f"chromium exited {proc.returncode}; stderr:\n{proc.stderr[-3000:]}"
    )
    return proc.stdout


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
