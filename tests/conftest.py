"""Suite-wide isolation: a private Airflow home and lake, never the developer's own.

Set before anything imports Airflow (it reads AIRFLOW_HOME at import time).
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="titlevideo-tests-"))

os.environ["AIRFLOW_HOME"] = str(_SESSION_DIR / "airflow")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
os.environ.setdefault("LAKE_ROOT", str(_SESSION_DIR / "lake"))
# Tests must never reach a real system: drop connections a developer may have exported.
for _name in ("AIRFLOW_CONN_CONSONANCE_DEFAULT", "AIRFLOW_CONN_BYTENITE_DEFAULT"):
    os.environ.pop(_name, None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every item has its own node id. schemathesis (under pytest 9) gives each API operation's
    item of `test_openapi_conformance` the test's bare id, though its name carries the operation;
    pytest-xdist, which `make test` runs the suite with, schedules and reports by node id and would
    run one of the 41. So such an item takes the id its name gives (pytest 9 keeps a node's id as
    the structured `Node._id`), and a suite with two items of one id stops here, loudly."""
    for item in items:
        if item.parent is not None and item.nodeid.rpartition("::")[2] != item.name:
            item._id = item.parent.id.child(item.name)
    twice = [nodeid for nodeid, n in Counter(i.nodeid for i in items).items() if n > 1]
    if twice:
        raise pytest.UsageError(f"{len(twice)} node ids name two items or more: {twice[:3]}")
