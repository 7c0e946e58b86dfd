"""`make deploy` without starting anything: its settings from the environment, and the one message
that names a missing PostgreSQL or Redis and says how to provide it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from titlevideo.local.deploy import Settings, check_services

pytestmark = pytest.mark.unit


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_addresses_default_to_the_local_services_and_come_from_the_environment() -> None:
    default = Settings.from_env({})
    assert (default.postgres_url, default.database, default.redis_url, default.port) == (
        "postgresql://postgres@127.0.0.1:5432",
        "titlevideo_airflow",
        "redis://127.0.0.1:6379/0",
        8280,
    )
    assert default.sqlalchemy_url() == (
        "postgresql+psycopg2://postgres@127.0.0.1:5432/titlevideo_airflow"
    )
    given = Settings.from_env(
        {
            "TITLEVIDEO_POSTGRES_URL": "postgresql://app:s%40cret@db.example:6543",
            "TITLEVIDEO_AIRFLOW_DB": "af",
            "TITLEVIDEO_REDIS_URL": "redis://cache:6380/2",
            "DEPLOY_PORT": "9000",
            "DEPLOY_HOME": "/srv/stack",
        }
    )
    assert given.sqlalchemy_url() == "postgresql+psycopg2://app:s%40cret@db.example:6543/af"
    assert given.sqlalchemy_url("postgresql") == "postgresql://app:s%40cret@db.example:6543/af"
    assert (given.redis_url, given.port, given.home) == (
        "redis://cache:6380/2",
        9000,
        Path("/srv/stack"),
    )
    assert given.lake == Path("/srv/stack/lake")


def _settings(postgres_port: int | None, redis_port: int | None) -> Settings:
    env = {}
    if postgres_port:
        env["TITLEVIDEO_POSTGRES_URL"] = f"postgresql://postgres@127.0.0.1:{postgres_port}"
    if redis_port:
        env["TITLEVIDEO_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    return Settings.from_env(env)


def test_a_missing_postgres_and_redis_are_each_named_with_how_to_provide_them() -> None:
    pg, rd = _closed_port(), _closed_port()
    with pytest.raises(SystemExit) as exc:
        check_services(_settings(pg, rd))
    message = str(exc.value)
    assert message.startswith("Cannot start the stack:\n")
    lines = message.splitlines()[1:]
    assert len(lines) == 2, message
    assert lines[0].startswith(f"  * PostgreSQL is not reachable at 127.0.0.1:{pg} (")
    assert "TITLEVIDEO_POSTGRES_URL" in lines[0] and "sudo service postgresql start" in lines[0]
    assert lines[1].startswith(f"  * Redis is not reachable at redis://127.0.0.1:{rd}/0 (")
    assert "TITLEVIDEO_REDIS_URL" in lines[1] and "sudo service redis-server start" in lines[1]
