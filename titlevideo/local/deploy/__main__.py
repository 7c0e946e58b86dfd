"""``python -m titlevideo.local.deploy up|down|status`` (``make deploy`` / ``make deploy-stop``)."""

from __future__ import annotations

import argparse
import os
import sys
import time

from titlevideo.local import say
from titlevideo.local.deploy import __doc__ as deploy_doc
from titlevideo.local.deploy.services import redacted
from titlevideo.local.deploy.settings import Settings
from titlevideo.local.deploy.stack import Stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="titlevideo.local.deploy",
        description=deploy_doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the stack in the background")
    up.add_argument("--seed", type=int, default=int(os.environ.get("EMULATOR_SEED", 42)))
    up.add_argument("--works", type=int, default=int(os.environ.get("EMULATOR_WORKS", 2000)))
    sub.add_parser("down", help="stop every process of the stack")
    sub.add_parser("status", help="which components run")
    args = parser.parse_args(argv)
    stack = Stack(
        Settings.from_env(seed=getattr(args, "seed", None), works=getattr(args, "works", None))
    )
    s = stack.s
    if args.command == "up":
        started = time.monotonic()
        say(f"Starting the stack in {s.home} (lake {s.lake}) …")
        stack.up()
        user, password = stack.login()
        say(
            "\n".join(
                [
                    f"The stack is up in {time.monotonic() - started:.0f}s:",
                    f"  UI / REST API  {s.api_url}  (user {user!r}, password {password!r})",
                    f"  metadata       PostgreSQL database {s.database} ({redacted(s.postgres_url)})",
                    f"  broker         {redacted(s.redis_url)}",
                    f"  components     {', '.join(stack.running())}",
                    f"  logs           {s.run_dir}",
                    "DAGs start paused: unpause them in the UI to let the scheduler run the days.",
                    "`make deploy-stop` stops everything.",
                ]
            )
        )
        return 0
    if args.command == "down":
        left = stack.down()
        if left:
            raise SystemExit("processes left behind: " + "; ".join(f"{p} {c}" for p, c in left))
        say("The stack is stopped; no process of it is left.")
        return 0
    running = stack.running()
    say("\n".join(f"  {n:<14} pid {p}" for n, p in running.items()) or "  not running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
