"""The failpoint switch itself: silent when unset, SIGKILL at the named hit, strict about names."""

from __future__ import annotations

import ast
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from titlevideo import failpoints

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]

_CHILD = """
import sys
from titlevideo.failpoints import failpoint
for n in range(1, 6):
    failpoint("sync.call.before")
    print(n, flush=True)
"""


def _child(spec: str | None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    if spec is not None:
        env[failpoints.ENV] = spec
    return subprocess.run(
        [sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, check=False
    )


def test_unset_or_other_failpoint_never_kills():
    for spec in (None, "", "sync.call.after", "sync.call.before@9"):
        proc = _child(spec)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.split() == ["1", "2", "3", "4", "5"]


def test_named_hit_kills_with_sigkill_before_the_next_line():
    first = _child("sync.call.before")
    assert first.returncode == -signal.SIGKILL
    assert first.stdout == ""
    third = _child("sync.call.before@3")
    assert third.returncode == -signal.SIGKILL
    assert third.stdout.split() == ["1", "2"]  # the 3rd hit died before printing 3
    assert "failpoint sync.call.before@3: SIGKILL" in third.stderr


def test_unknown_names_and_bad_counts_are_errors():
    with pytest.raises(ValueError, match="unknown failpoint 'sync.cal.before'"):
        failpoints.parse("sync.cal.before")
    with pytest.raises(ValueError, match="must be >= 1"):
        failpoints.parse("sync.call.before@0")
    assert failpoints.parse("lake.json.before_rename@4") == ("lake.json.before_rename", 4)


def _calls_in_package() -> set[str]:
    """Every failpoint name written in the package (f-strings expanded over their layers)."""
    names = set()
    for path in (ROOT / "titlevideo").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "failpoint"
                and node.args
            ):
                arg = node.args[0]
                if isinstance(arg, ast.Constant):
                    names.add(arg.value)
                elif isinstance(arg, ast.JoinedStr):
                    prefix = "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
                    names.update(
                        prefix + layer for layer in ("staging", "intermediate", "marts", "reverse")
                    )
    return names


def test_every_listed_failpoint_is_placed_in_the_code_and_vice_versa():
    assert _calls_in_package() == set(failpoints.POINTS)
    assert len(failpoints.POINTS) >= 20
