"""Memory of a process from ``/proc/<pid>/status`` (Linux), for every bench process.

Standard library only: imported by the workers in both environments (the product's ``.venv`` and
``.venv-bench``); each worker runs as a script from ``bench/``, so ``import procstat`` finds it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path


def status_mb(field: str, pid: int | str = "self") -> float:
    """``VmHWM`` (peak RSS; reset by exec) or ``VmRSS`` of a process in MB; 0.0 if it is gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


def vmhwm_mb(pid: int | str = "self") -> float:
    return status_mb("VmHWM", pid)


def rss_mb(pid: int | str = "self") -> float:
    return status_mb("VmRSS", pid)
