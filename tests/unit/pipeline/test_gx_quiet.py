"""Great Expectations' start-up chatter stays out of the task log: importing it logs about 200
INFO lines ("Skipping registering function ..."), which buried each build's own lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]

#: a fresh interpreter (GX not imported yet) logging everything at INFO, as a task's log does
PROBE = """
import logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
from titlevideo.quality.runner import run_prepared
print(run_prepared([], section="probe", reports=None)["suites_failed"])
"""


def test_running_suites_logs_none_of_gxs_info_chatter() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "0"
    chatter = [ln for ln in proc.stderr.splitlines() if ln.startswith("INFO great_expectations")]
    assert chatter == [], f"{len(chatter)} INFO lines from GX, e.g. {chatter[:2]}"
