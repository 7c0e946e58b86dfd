"""Command line: the default run, the Airflow UI, season backfills, the emulators.

``python -m titlevideo.cli run [--date YYYY-MM-DD]`` is ``make run``: it starts both emulators
(or reuses the ones already serving), prepares a local Airflow (SQLite metadata under
``.airflow/``), runs one full daily cycle through the five DAGs with ``airflow dags test``, and
prints what happened and where to look.

``python -m titlevideo.cli airflow`` is ``make airflow``: ``airflow standalone`` (api-server,
scheduler, dag-processor, triggerer; LocalExecutor, SQLite) on the same ``.airflow/`` home, with
the project's DAGs, the connections to the emulators, the ``duckdb_writer`` pool and the examples
off. It prints the URL and the login (simple auth manager, user ``admin``; the password is kept in
``<AIRFLOW_HOME>/simple_auth_manager_passwords.json.generated``), and runs until Ctrl-C.

``python -m titlevideo.cli backfill --season "Spring 2026"`` is ``make backfill``: the season's
date window from Consonance, then a backfill of both extract DAGs over it, then one
``warehouse_build`` for the window's end (``titlevideo.local.backfill`` says why it runs a
scheduler).

If ``AIRFLOW_CONN_CONSONANCE_DEFAULT`` and ``AIRFLOW_CONN_BYTENITE_DEFAULT`` are both set, ``airflow``
and ``backfill`` use those systems and start no emulator.

The work is done in ``titlevideo.local``; this module only parses the command line.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from titlevideo.local import airflow_home, say
from titlevideo.local.emulators import EMULATORS, start_emulators, stop_emulators
from titlevideo.transport import ApiError


def _ports(args: argparse.Namespace) -> dict[str, int]:
    return {
        name: getattr(args, f"{name}_port", None) or spec.port for name, spec in EMULATORS.items()
    }


def cmd_run(args: argparse.Namespace) -> int:
    from titlevideo.local.cycle import run_daily

    return run_daily(args.seed, args.works, _ports(args), args.date)


def cmd_airflow(args: argparse.Namespace) -> int:
    from titlevideo.local.ui import serve

    return serve(args.seed, args.works, _ports(args), args.host, args.port)


def cmd_backfill(args: argparse.Namespace) -> int:
    from titlevideo.local.backfill import backfill

    return backfill(
        args.seed,
        args.works,
        _ports(args),
        args.season,
        args.from_date,
        args.to_date,
        dry_run=args.dry_run,
    )


def cmd_emulators(args: argparse.Namespace) -> int:
    start_emulators(args.seed, args.works, airflow_home() / "emulators", _ports(args))
    say("Both emulators are running in the background; `make stop` stops them.")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    stop_emulators(airflow_home() / "emulators")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": cmd_run,
    "airflow": cmd_airflow,
    "backfill": cmd_backfill,
    "emulators": cmd_emulators,
    "stop": cmd_stop,
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="titlevideo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = top.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="one full daily cycle on the emulators")
    run.add_argument(
        "--date",
        type=date.fromisoformat,
        default=None,
        help="logical day (default: yesterday, emulated)",
    )
    ui = sub.add_parser("airflow", help="the Airflow UI (airflow standalone) until Ctrl-C")
    ui.add_argument("--port", type=int, default=int(os.environ.get("AIRFLOW_PORT", 8080)))
    ui.add_argument(
        "--host", default="127.0.0.1", help="interface to serve on (0.0.0.0 for every one)"
    )
    backfill = sub.add_parser(
        "backfill", help="extract one publication season again, then rebuild the warehouse"
    )
    backfill.add_argument(
        "--season", required=True, help='a season Consonance knows: "Spring 2026"'
    )
    backfill.add_argument(
        "--from-date", type=date.fromisoformat, default=None, help="start inside the season"
    )
    backfill.add_argument(
        "--to-date", type=date.fromisoformat, default=None, help="end inside the season"
    )
    backfill.add_argument(
        "--dry-run", action="store_true", help="print the window and the commands, run nothing"
    )
    emulators = sub.add_parser("emulators", help="start both emulators in the background")
    for p in (run, ui, backfill, emulators):
        p.add_argument("--seed", type=int, default=int(os.environ.get("EMULATOR_SEED", 42)))
        p.add_argument("--works", type=int, default=int(os.environ.get("EMULATOR_WORKS", 2000)))
        for name, spec in EMULATORS.items():
            p.add_argument(f"--{name}-port", type=int, default=spec.port)
    sub.add_parser("stop", help="stop the background emulators")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if shutil.which("airflow") is None and not Path(sys.executable).with_name("airflow").exists():
        raise SystemExit(
            "airflow is not installed in this environment; run `make run` (it sets up .venv)"
        )
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        say("\ninterrupted")
        return 130
    except ApiError as exc:  # Airflow's REST API refused for good, or stopped answering
        raise SystemExit(str(exc)) from None


if __name__ == "__main__":
    sys.exit(main())
