"""Every command the README shows works as written on a fresh clone (after ``make venv``):

* each ``make <target>`` is a target of the Makefile;
* each ``.venv/bin/<program>`` is installed by the lock;
* each ``python -m <module> <subcommand> --option`` is accepted by that module's own parser
  (asked with ``--help``, which runs nothing).

Commands of other tools (``airflow`` of your own deployment, ``docker compose``, ``harlequin`` in
its own venv) are the README's prose, not checked here.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md"]


def commands(doc: Path) -> list[str]:
    """Shell lines of the ```bash blocks, and inline `code` that starts with make or .venv/."""
    text = doc.read_text()
    out = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line and not line.startswith("#"):
                out.append(line)
    for code in re.findall(r"`([^`\n]+)`", text):
        if code.startswith(("make ", ".venv/bin/")):
            out.append(code)
    return out


@cache
def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z-]*):", text, re.M))


@cache
def help_text(module: str, sub: str | None) -> str:
    args = [sys.executable, "-m", module, *([sub] if sub else []), "--help"]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"{' '.join(args)} failed: {proc.stderr[-2000:]}"
    return proc.stdout


def check(command: str) -> list[str]:
    """What is wrong with one documented command (nothing: [])."""
    problems = []
    for part in re.split(r"\s*(?:&&|\|)\s*", command):
        words = shlex.split(part.replace("[", " ").replace("]", " "))
        if not words:
            continue
        if words[0] == "make":
            targets = [w for w in words[1:] if "=" not in w and not w.startswith("-")]
            problems += [f"make {t}: no such target" for t in targets if t not in make_targets()]
        elif words[0].startswith(".venv/bin/"):
            program = ROOT / words[0]
            if not program.exists():
                problems.append(f"{words[0]} is not installed by the lock")
            if words[0].endswith("python") and words[1:2] == ["-m"]:
                module = words[2]
                rest = words[3:]
                sub = rest[0] if rest and not rest[0].startswith("-") else None
                usage = help_text(module, sub)
                problems += [
                    f"{module} {sub or ''}: no option {w}"
                    for w in rest
                    if w.startswith("--") and w.split("=")[0] not in usage
                ]
    return problems


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_documented_command_exists(doc):
    found = commands(doc)
    assert any(c.startswith("make sql") for c in found)  # the parser sees the blocks
    problems = [f"{c!r}: {p}" for c in found for p in check(c)]
    assert problems == []


def test_the_check_finds_a_wrong_command():
    assert check("make nosuchtarget") == ["make nosuchtarget: no such target"]
    assert check(".venv/bin/python -m emulators.bytenite --no-such-flag 3") == [
        "emulators.bytenite : no option --no-such-flag"
    ]
