"""Great Expectations in a process of its own, started when a warehouse build begins.

Importing GX takes 2-3 s on a quiet machine (8 s without ``.pyc`` files), more than the mart
suites themselves, and a build pays it every time. dbt's work holds one core (it is Python, bound
by the GIL), so a worker started with the build imports GX on the other core meanwhile. When the
candidate warehouse is built, the build prepares each suite's frame in DuckDB
(:func:`titlevideo.quality.checks.prepare`, no GX needed) and hands the frames over; the worker
validates them with :func:`titlevideo.quality.runner.run_prepared` (the same code as in-process:
same expectations, Data Docs and summary) and answers with the summary or the failure, which the
build raises as :class:`~titlevideo.quality.runner.QualityError` as before. If the worker cannot
start or dies, the build validates in its own process instead (same result, without the overlap)
and says so in its log.

    python -m titlevideo.quality.worker   # one pickled job on stdin, one pickled reply on stdout
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from titlevideo.quality.checks import Prepared

log = logging.getLogger(__name__)


class GxWorker:
    """One validation in a child process that imports GX as soon as it starts."""

    #: The worker's command line.
    command: tuple[str, ...] = (sys.executable, "-m", "titlevideo.quality.worker")

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        try:
            self._proc = subprocess.Popen(
                list(self.command),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        except OSError as exc:
            log.warning("GX worker did not start (%s); the suites will run in this process", exc)

    def validate(
        self, suites: list[Prepared], *, section: str, reports: Path | None
    ) -> dict[str, Any] | None:
        """The suites' summary (raises QualityError when one failed, as ``run_prepared`` does);
        None when the worker is unusable: the caller then validates in its own process."""
        from titlevideo.quality.runner import QualityError

        proc, self._proc = self._proc, None
        if proc is None:
            return None
        job = {"suites": suites, "section": section, "reports": reports}
        try:
            out, _ = proc.communicate(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError as exc:
            log.warning("GX worker failed (%s); running the suites in this process", exc)
            _stop(proc)
            return None
        if proc.returncode != 0 or not out:
            log.warning(
                "GX worker exited with %s; running the suites in this process", proc.returncode
            )
            return None
        reply: dict[str, Any] = pickle.loads(out)
        if reply.get("quality_error"):
            section_, failures, docs = reply["quality_error"]
            raise QualityError(section_, failures, docs)
        if reply.get("error"):
            raise RuntimeError(f"Great Expectations failed in the GX worker: {reply['error']}")
        summary: dict[str, Any] = reply["summary"]
        return summary

    def close(self) -> None:
        """Stop a worker that was never given its job (the build failed before its suites)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def main() -> None:
    # The reply goes to the real stdout; anything else printed (GX, libraries) goes to stderr,
    # which the build's log (the Airflow task log) shares.
    reply_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s [gx worker] %(message)s"
    )
    logging.getLogger("titlevideo").setLevel(logging.INFO)  # each suite's outcome, as in-process
    started = time.perf_counter()
    import great_expectations  # noqa: F401  (the point of this process: import it early)

    from titlevideo.quality.runner import QualityError, run_prepared

    log.debug("imported Great Expectations in %.2fs", time.perf_counter() - started)
    job = pickle.load(sys.stdin.buffer)
    reply: dict[str, Any]
    try:
        reply = {
            "summary": run_prepared(job["suites"], section=job["section"], reports=job["reports"])
        }
    except QualityError as exc:
        reply = {"quality_error": (exc.section, exc.failures, exc.docs)}
    except Exception as exc:  # reported to the build, which fails with it
        log.exception("GX suites failed")
        reply = {"error": f"{type(exc).__name__}: {exc}"}
    reply_out.write(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
    reply_out.flush()


if __name__ == "__main__":
    main()
