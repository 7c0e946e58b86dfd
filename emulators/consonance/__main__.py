"""``python -m emulators.consonance``: serve the Consonance emulator in the foreground."""

from __future__ import annotations

import argparse
import time

from emulators.common import common_arguments, serve_forever, world_of

from .app import DEFAULT_API_KEY, create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulators.consonance", description=__doc__)
    common_arguments(parser, default_port=8081, default_key=DEFAULT_API_KEY)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    state, app = create_app(**world_of(args, DEFAULT_API_KEY))
    banner = (
        f"Consonance emulator ({state.works} works, seed {state.seed}, today {state.clock.today}, "
        f"faults {state.fault_name}, ready in {time.perf_counter() - started:.2f}s)"
    )
    serve_forever(app, args.host, args.port, args.log_level, banner)


if __name__ == "__main__":
    main()
