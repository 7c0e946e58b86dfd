"""ByteNite emulators served over real HTTP for this folder's tests.

``bn`` is the shared emulator (small world, no rate limit, fast jobs), reset and clock-set before
each test; tests that need other settings (rate limit, short token TTL) start their own.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulators.catalog import World
from emulators.common import ServerThread

# The helpers module is shared with this folder's test modules (a unique name: other test folders
# have conftest modules of their own).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bytenite_helpers import SEED, TODAY, WORKS, Emulator, start


@pytest.fixture(scope="session")
def start_emulator() -> Iterator[Any]:
    """A factory for emulators with other settings; all are stopped at the end of the session."""
    servers: list[ServerThread] = []

    def factory(**options: Any) -> tuple[Any, ServerThread]:
        state, server = start(**options)
        servers.append(server)
        return state, server

    yield factory
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def bn_server() -> Iterator[tuple[Any, ServerThread]]:
    state, server = start()
    yield state, server
    server.stop()


@pytest.fixture
def bn(bn_server: tuple[Any, ServerThread]) -> Iterator[Emulator]:
    _, server = bn_server
    emu = Emulator(server.url)
    emu.admin("POST", "reset")
    emu.set_today(TODAY)
    emu.login()
    yield emu
    emu.http.close()


@pytest.fixture(scope="session")
def world() -> World:
    return World(SEED, WORKS)
