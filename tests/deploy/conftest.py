"""Fixtures of the production-stack tier (``make test-deploy``): PostgreSQL and Redis as the machine
runs them, a database and a Redis database of the test's own, never ``postgres`` nor db 0."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import airflow_db, make_emulators  # noqa: F401
from titlevideo.local.deploy import (
    Settings,
    check_services,
    claim_redis_db,
    drop_database,
    release_redis_db,
)

POSTGRES_URL = os.environ.get("TITLEVIDEO_POSTGRES_URL") or "postgresql://postgres@127.0.0.1:5432"
REDIS_SERVER = os.environ.get("TITLEVIDEO_REDIS_SERVER") or "redis://127.0.0.1:6379"


@pytest.fixture(scope="session")
def backing() -> Iterator[dict[str, str]]:
    """The PostgreSQL server and a Redis database claimed for this session (checked first: a
    missing service fails the tier with the stack's own message, it is never skipped)."""
    redis_url = claim_redis_db(REDIS_SERVER)
    database = f"titlevideo_airflow_test_{os.getpid()}"
    probe = Settings(
        home=Path("/nonexistent"),
        lake=Path("/nonexistent"),
        postgres_url=POSTGRES_URL,
        database=database,
        redis_url=redis_url,
        port=0,
    )
    check_services(probe)
    drop_database(probe)  # a leftover of an interrupted run with this pid
    try:
        yield {"postgres_url": POSTGRES_URL, "database": database, "redis_url": redis_url}
    finally:
        drop_database(probe)
        release_redis_db(redis_url)
