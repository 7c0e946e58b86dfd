"""Preflight: check a real deployment of Consonance and ByteNite before the first run.

``make check`` (``python -m titlevideo.preflight``) and the ``check`` task at the start of both
extract DAGs (a pass is cached for a day) run it against whatever the connections point at:

* **Consonance**: authentication, then the server's schema by GraphQL introspection. Every
  document the pipeline sends (:data:`titlevideo.consonance.queries.DOCUMENTS`: extraction,
  write-back, backfill) is validated against it with graphql-core, and every field, argument and
  input type it uses is compared with the schema the pipeline is built and tested against (the
  emulator's ``schema.graphql``): each mismatch names the document, the field path, expected
  against found. A changed nullability is a warning; a missing name or another type fails. If
  the server refuses introspection, the report says so and falls back to one dry call per
  document: a query reads one page; a mutation is sent without its variables, so the server
  validates the document and executes nothing.
* **ByteNite**: the token exchange; then every path of :data:`titlevideo.bytenite.paths.PATHS`,
  after the connection's ``paths`` remapping. Reads are made (one record each) and must answer
  200 with the fields the pipeline reads; write paths are probed with a GET, which writes
  nothing: a 405 (or 501) says the path is served, a router's bare 404 that it is not. The
  rate-limit headers of an ordinary answer are reported, if any.

The output is one readable report, exit code 0 (pass) or 1, and a JSON copy under
``<LAKE_ROOT>/reports/preflight/``.

The package: :mod:`.report` (the report and its findings), :mod:`.consonance` and
:mod:`.bytenite` (the checks of each system), :mod:`.run` (running, caching, the command line).
"""

from __future__ import annotations

from titlevideo.preflight.bytenite import check_bytenite
from titlevideo.preflight.consonance import check_consonance, compare_document, reference_schema
from titlevideo.preflight.report import BYTENITE, CACHE_FOR, CONSONANCE, Finding, Mismatch, Report
from titlevideo.preflight.run import (
    _local_endpoints,
    cached_pass,
    check_cached,
    fingerprint,
    main,
    run,
    write_report,
)

__all__ = [
    "BYTENITE",
    "CACHE_FOR",
    "CONSONANCE",
    "Finding",
    "Mismatch",
    "Report",
    "_local_endpoints",
    "cached_pass",
    "check_bytenite",
    "check_cached",
    "check_consonance",
    "compare_document",
    "fingerprint",
    "main",
    "reference_schema",
    "run",
    "write_report",
]
