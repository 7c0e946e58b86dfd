"""The stack's processes: started in their own process group, found by their home, stopped with
their descendants.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from titlevideo.config import PROJECT_ROOT
from titlevideo.local.airflow import group_members


def _airflow_bin() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def run_airflow(args: list[str], env: dict[str, str], log: Path, what: str) -> None:
    with open(log, "ab") as fh:
        fh.write(f"\n$ airflow {' '.join(args)}\n".encode())
        fh.flush()
        proc = subprocess.run(
            [_airflow_bin(), *args], env=env, stdout=fh, stderr=subprocess.STDOUT, check=False
        )
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-30:]
        raise SystemExit(
            f"{what} failed (exit {proc.returncode}); last lines of {log}:\n" + "\n".join(tail)
        )


def spawn(name: str, argv: list[str], env: dict[str, str], log: Path) -> int:
    """Start one component in its own process group (so it and its children stop together)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as fh:
        fh.write(f"\n$ airflow {' '.join(argv)}  ({time.strftime('%Y-%m-%d %H:%M:%S')})\n".encode())
        fh.flush()
        proc = subprocess.Popen(
            [_airflow_bin(), *argv],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=PROJECT_ROOT,
        )
    return proc.pid


def _parents() -> dict[int, int]:
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            out[int(stat.parent.name)] = int(fields[1])
    return out


def descendants(pid: int) -> set[int]:
    """Live processes under ``pid`` (children, their children, …)."""
    return descendants_of({pid})


def descendants_of(roots: set[int]) -> set[int]:
    parents = _parents()
    found: set[int] = set()
    frontier = set(roots)
    while frontier:
        children = {child for child, parent in parents.items() if parent in frontier}
        frontier = children - found
        found |= children
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def processes_of(home: Path) -> list[tuple[int, str]]:
    """Live processes whose environment has ``AIRFLOW_HOME=<home>`` (zombies excluded)."""
    marker = f"AIRFLOW_HOME={home}".encode()
    out = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if marker not in proc.joinpath("environ").read_bytes().split(b"\0"):
                continue
            if proc.joinpath("stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            cmd = proc.joinpath("cmdline").read_bytes().replace(b"\0", b" ").decode()[:160]
        except (OSError, IndexError):
            continue
        if int(proc.name) != os.getpid():
            out.append((int(proc.name), cmd))
    return out


def reap(pids: set[int] | list[int]) -> None:
    """Collect these processes if they are exited children of this one (only these: another
    child's exit status belongs to whoever waits for it)."""
    for pid in pids:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)


def stop_group(pgid: int, sig: int = signal.SIGTERM, grace: float = 30) -> bool:
    """``sig`` to a process group, then SIGKILL after ``grace`` seconds; True if it is gone."""
    seen = group_members(pgid) | {pgid}
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)
    deadline = time.monotonic() + grace
    while group_members(pgid) and time.monotonic() < deadline:
        reap(seen)
        time.sleep(0.2)
    if group_members(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while group_members(pgid) and time.monotonic() < deadline:
            reap(seen)
            time.sleep(0.2)
    reap(seen)
    return not group_members(pgid)
