"""The quality results as pages that render from ``file://`` with no network.

Great Expectations' own Data Docs load Bootstrap, jQuery, bootstrap-table and Font Awesome from
CDNs: opened from disk without a network their validation lists are blank and their status icons
missing. No package on the index ships those exact assets, so the results are rendered here
instead, as plain HTML and CSS with no script, from what the quality step writes beside each
section's Data Docs (``<LAKE_ROOT>/reports/data_docs/<section>/``):

* ``summary.json`` (always): per suite its rows, shape, outcome, number of expectations and one
  line per failed expectation;
* ``results.json`` (when present): GX's validation result of each suite, every expectation with
  its arguments, outcome and observed values.

Written::

    reports/data_docs/index.html               every section's suites: passed / failed, links
    reports/data_docs/<section>/results.html   each suite's expectations and what failed

Expectation counts are those GX evaluated: a suite of ``n`` expectations with ``k`` failed lines
has ``n - k`` passed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from titlevideo.lake import write_text_atomic

log = logging.getLogger(__name__)

__all__ = ["QualitySection", "SuiteResult", "read_sections", "write_quality_pages"]

RESULTS_PAGE = "results.html"

CSS = """
:root { --ink: #1d2a35; --muted: #5c6b77; --accent: #2f6690; --card: #f5f7f9;
        --ok: #1f7a3a; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial,
       sans-serif; color: var(--ink); background: #fff; }
header { padding: 28px 32px 12px; border-bottom: 1px solid #e3e8ec; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: var(--muted); }
main { padding: 16px 32px 48px; max-width: 1280px; }
a { color: var(--accent); }
h2 { font-size: 20px; margin: 28px 0 4px; }
h3 { font-size: 16px; margin: 22px 0 4px; }
p.blurb { margin: 0 0 6px; color: var(--muted); font-size: 14px; }
table { border-collapse: collapse; font-size: 14px; margin: 6px 0 12px; }
th, td { text-align: left; padding: 5px 14px 5px 0; border-bottom: 1px solid #e3e8ec;
         vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { font-weight: 650; }
.status.passed { color: var(--ok); }
.status.failed { color: var(--bad); }
.status.passed::before { content: "\\2714\\FE0E  "; }
.status.failed::before { content: "\\2718\\FE0E  "; }
code, pre { font-size: 12px; }
pre { background: var(--card); padding: 8px 10px; border-radius: 6px; white-space: pre-wrap;
      margin: 0; }
p.empty { background: var(--card); border-radius: 8px; padding: 18px; color: var(--muted);
          font-style: italic; }
footer { color: var(--muted); font-size: 12px; margin-top: 36px; }
"""


@dataclass(frozen=True)
class Expectation:
    """One evaluated expectation of a suite (from ``results.json``)."""

    type: str
    kwargs: dict[str, Any]
    success: bool
    observed: dict[str, Any]


@dataclass(frozen=True)
class SuiteResult:
    name: str
    rows: int
    shape: str
    success: bool
    expectations: int
    failed_lines: tuple[str, ...]
    details: tuple[Expectation, ...] = ()

    @property
    def failed(self) -> int:
        return len(self.failed_lines)

    @property
    def passed(self) -> int:
        return self.expectations - self.failed

    @property
    def anchor(self) -> str:
        return "suite-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in self.name)


@dataclass(frozen=True)
class QualitySection:
    name: str
    validated_at: datetime
    suites: tuple[SuiteResult, ...] = field(default_factory=tuple)
    #: GX's own Data Docs index beside it (its pages need the network for their styles)
    has_gx_docs: bool = False

    @property
    def suites_passed(self) -> int:
        return sum(s.success for s in self.suites)

    @property
    def suites_failed(self) -> int:
        return sum(not s.success for s in self.suites)


def _details(section_dir: Path) -> dict[str, tuple[Expectation, ...]]:
    path = section_dir / "results.json"
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except ValueError:
        log.warning("%s is not valid JSON; the results page lists the failures only", path)
        return {}
    out: dict[str, tuple[Expectation, ...]] = {}
    for suite, result in (raw or {}).items():
        items = []
        for r in result.get("results", []):
            cfg = r.get("expectation_config") or {}
            kwargs = {k: v for k, v in (cfg.get("kwargs") or {}).items() if k != "batch_id"}
            observed = {
                k: v
                for k, v in (r.get("result") or {}).items()
                if k
                in (
                    "observed_value",
                    "element_count",
                    "unexpected_count",
                    "unexpected_percent",
                    "missing_count",
                    "partial_unexpected_list",
                )
            }
            items.append(
                Expectation(str(cfg.get("type", "?")), kwargs, bool(r.get("success")), observed)
            )
        out[str(suite)] = tuple(items)
    return out


def read_sections(data_docs: Path) -> list[QualitySection]:
    """Every section under ``reports/data_docs`` that has a ``summary.json``, by name."""
    sections = []
    for summary_file in sorted(data_docs.glob("*/summary.json")):
        try:
            data = json.loads(summary_file.read_text())
        except ValueError:
            log.warning("%s is not valid JSON; section left out of the quality pages", summary_file)
            continue
        details = _details(summary_file.parent)
        suites = tuple(
            SuiteResult(
                name=str(s["suite"]),
                rows=int(s.get("rows") or 0),
                shape=str(s.get("shape") or ""),
                success=bool(s.get("success")),
                expectations=int(s.get("expectations") or 0),
                failed_lines=tuple(str(x) for x in s.get("failed") or ()),
                details=details.get(str(s["suite"]), ()),
            )
            for s in data.get("suites", [])
        )
        sections.append(
            QualitySection(
                name=summary_file.parent.name,
                validated_at=datetime.fromtimestamp(summary_file.stat().st_mtime, UTC),
                suites=suites,
                has_gx_docs=(summary_file.parent / "index.html").exists(),
            )
        )
    return sections


def _status(ok: bool) -> str:
    return (
        f'<span class="status {"passed" if ok else "failed"}">{"passed" if ok else "failed"}</span>'
    )


def _page(title: str, header: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header>{header}</header>
<main>
{body}
<footer>Great Expectations validated these suites (the raw partitions in each extraction, the
marts in each warehouse build before its swap); this page is made from its results by
<code>titlevideo.report.quality</code> and needs no network. What each suite checks:
docs/warehouse.md.</footer>
</main>
</body>
</html>
"""


def render_index(sections: list[QualitySection]) -> str:
    """``data_docs/index.html``: every section's suites with their pass/fail counts and links."""
    blocks = []
    for sec in sections:
        rows = "".join(
            f'<tr data-suite="{escape(s.name)}">'
            f'<td><a href="{escape(sec.name)}/{RESULTS_PAGE}#{s.anchor}">{escape(s.name)}</a></td>'
            f"<td>{_status(s.success)}</td>"
            f'<td class="num n-passed">{s.passed}</td><td class="num n-failed">{s.failed}</td>'
            f'<td class="num">{s.rows:,}</td><td>{escape(s.shape)}</td></tr>'
            for s in sec.suites
        )
        state = (
            "every suite passed"
            if not sec.suites_failed
            else f"{sec.suites_failed} of {len(sec.suites)} suites failed"
        )
        gx = (
            f' · <a href="{escape(sec.name)}/index.html">Great Expectations\' own pages</a> '
            "(they load their styles and scripts from CDNs: blank without a network)"
            if sec.has_gx_docs
            else ""
        )
        blocks.append(
            f'<section data-section="{escape(sec.name)}"><h2>{escape(sec.name)}</h2>'
            f'<p class="blurb"><span class="outcome">{escape(state)}</span> · '
            f'<span class="suites-passed">{sec.suites_passed}</span> passed, '
            f'<span class="suites-failed">{sec.suites_failed}</span> failed · validated '
            f"{sec.validated_at:%Y-%m-%d %H:%M} UTC · "
            f'<a href="{escape(sec.name)}/{RESULTS_PAGE}">every expectation</a>{gx}</p>'
            "<table><thead><tr><th>suite</th><th>outcome</th>"
            '<th class="num">expectations passed</th><th class="num">expectations failed</th>'
            '<th class="num">rows validated</th><th>shape</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></section>"
        )
    body = "".join(blocks) or '<p class="empty">No quality results yet: run a cycle.</p>'
    header = (
        "<h1>Data quality</h1><p>The last validation of each section by Great Expectations · "
        '<a href="../performance/index.html">performance reports</a></p>'
    )
    return _page("Data quality", header, body)


def _kwargs_text(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in kwargs.items())


def render_section(sec: QualitySection) -> str:
    """``data_docs/<section>/results.html``: each suite's expectations and failures."""
    blocks = []
    for s in sec.suites:
        failed = "".join(f"<li><code>{escape(line)}</code></li>" for line in s.failed_lines)
        failed_block = f'<ul class="failures">{failed}</ul>' if failed else ""
        if s.details:
            rows = "".join(
                f"<tr><td>{_status(e.success)}</td><td><code>{escape(e.type)}</code></td>"
                f"<td><code>{escape(_kwargs_text(e.kwargs))}</code></td>"
                f"<td><pre>{escape(json.dumps(e.observed, default=str, indent=1))}</pre></td></tr>"
                for e in s.details
            )
            table = (
                "<table><thead><tr><th>outcome</th><th>expectation</th><th>arguments</th>"
                f"<th>observed</th></tr></thead><tbody>{rows}</tbody></table>"
            )
        else:
            table = ""
        blocks.append(
            f'<section id="{s.anchor}" data-suite="{escape(s.name)}"><h3>{escape(s.name)}</h3>'
            f'<p class="blurb">{_status(s.success)} · <span class="n-passed">{s.passed}</span> of '
            f"{s.expectations} expectations passed, "
            f'<span class="n-failed">{s.failed}</span> failed · {s.rows:,} rows validated '
            f"({escape(s.shape)})</p>{failed_block}{table}</section>"
        )
    header = (
        f"<h1>Data quality: {escape(sec.name)}</h1><p>Validated "
        f"{sec.validated_at:%Y-%m-%d %H:%M} UTC · {sec.suites_passed} suites passed, "
        f'{sec.suites_failed} failed · <a href="../index.html">all sections</a></p>'
    )
    body = "".join(blocks) or '<p class="empty">This section validated no suite.</p>'
    return _page(f"Data quality: {sec.name}", header, body)


def write_quality_pages(reports: Path) -> Path:
    """Write the index and every section's results page under ``reports/data_docs``."""
    root = reports / "data_docs"
    root.mkdir(parents=True, exist_ok=True)
    sections = read_sections(root)
    for sec in sections:
        write_text_atomic(root / sec.name / RESULTS_PAGE, render_section(sec))
    return write_text_atomic(root / "index.html", render_index(sections))
