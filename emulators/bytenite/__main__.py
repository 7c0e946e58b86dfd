"""``python -m emulators.bytenite``: serve the ByteNite emulator in the foreground."""

from __future__ import annotations

import argparse
import time

from emulators.common import common_arguments, serve_forever, world_of

from . import (
    DEFAULT_API_KEY,
    DEFAULT_JOB_STEP_SECONDS,
    DEFAULT_PORT,
    DEFAULT_RATE_LIMIT,
    DEFAULT_TOKEN_TTL,
    create_app,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulators.bytenite", description=__doc__)
    common_arguments(parser, default_port=DEFAULT_PORT, default_key=DEFAULT_API_KEY)
    parser.add_argument(
        "--token-ttl",
        type=float,
        default=DEFAULT_TOKEN_TTL,
        help="access token lifetime, seconds (3600)",
    )
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=DEFAULT_RATE_LIMIT,
        help="requests/s per token, bursts of twice that (50; 0 = off). An emulator choice: the real limits are undocumented",
    )
    parser.add_argument(
        "--job-step-seconds",
        type=float,
        default=DEFAULT_JOB_STEP_SECONDS,
        help="wall seconds per job state step (0.2)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    state, app = create_app(
        **world_of(args, DEFAULT_API_KEY),
        token_ttl=args.token_ttl,
        rate_limit=args.rate_limit,
        job_step_seconds=args.job_step_seconds,
    )
    banner = (
        f"ByteNite emulator (seed {args.seed}, {args.works} works, {len(state.assets)} assets, "
        f"today {state.clock.today}, built in {time.perf_counter() - started:.1f}s)"
    )
    serve_forever(app, args.host, args.port, args.log_level, banner)


if __name__ == "__main__":
    main()
