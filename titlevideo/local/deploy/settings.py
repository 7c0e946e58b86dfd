"""Where the stack of ``make deploy`` puts things, and the environment of each component."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from titlevideo.config import PROJECT_ROOT

#: The Airflow settings shared with docker-compose.yaml (its ``env_file``).
SHARED_SETTINGS = PROJECT_ROOT / "deploy" / "airflow.env"
STATE_FILE = "deploy.json"
WORKERS = ("worker-1", "worker-2")
#: ``[core] hostname_callable`` of the workers: each reports ``<worker>.<this host>``.
HOSTNAME_CALLABLE = "titlevideo.local.deploy.settings.worker_hostname"
WORKER_NAME_ENV = "TITLEVIDEO_WORKER_NAME"
POOL = ("duckdb_writer", "1", "DuckDB warehouse: single writer")


def read_env_file(path: Path = SHARED_SETTINGS) -> dict[str, str]:
    """``KEY=VALUE`` lines of a Compose env file (comments and blank lines skipped). Only plain
    values are allowed, so Compose and this reader cannot read one line two ways."""
    out: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.isidentifier() or any(c in value for c in " \t\"'$#"):
            raise SystemExit(
                f"{path}:{number}: expected KEY=VALUE with a plain value (no quotes, spaces, $ or #)"
            )
        out[key] = value
    return out


def worker_hostname() -> str:
    """The hostname a Celery worker of the local stack reports for its tasks (``hostname_callable``)."""
    name = os.environ.get(WORKER_NAME_ENV)
    fqdn = socket.getfqdn()
    return f"{name}.{fqdn}" if name else fqdn


@dataclass
class Settings:
    home: Path
    lake: Path
    postgres_url: str
    database: str
    redis_url: str
    port: int
    seed: int = 42
    works: int = 2000
    consonance_port: int = 8281
    bytenite_port: int = 8282
    #: TITLEVIDEO_SCHEDULE_START of the DAGs: the first day of the daily schedule ("": none)
    schedule_start: str = ""
    #: TITLEVIDEO_SCHEDULE_END: the last day ("": none)
    schedule_end: str = ""
    #: extra environment for every Airflow process (tests: shorter timeouts)
    overrides: dict[str, str] = field(default_factory=dict)
    #: ``AIRFLOW_CONN_*`` of both systems; None: from the environment if both are set there,
    #: else this stack's own emulators
    connections: dict[str, str] | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **kw: Any) -> Settings:
        env = dict(os.environ if env is None else env)
        home = Path(env.get("DEPLOY_HOME") or PROJECT_ROOT / ".deploy").resolve()
        values: dict[str, Any] = {
            "home": home,
            "lake": Path(env.get("DEPLOY_LAKE_ROOT") or home / "lake").resolve(),
            "postgres_url": env.get("TITLEVIDEO_POSTGRES_URL")
            or "postgresql://postgres@127.0.0.1:5432",
            "database": env.get("TITLEVIDEO_AIRFLOW_DB") or "titlevideo_airflow",
            "redis_url": env.get("TITLEVIDEO_REDIS_URL") or "redis://127.0.0.1:6379/0",
            "port": int(env.get("DEPLOY_PORT") or 8280),
            "schedule_start": env.get("TITLEVIDEO_SCHEDULE_START", ""),
            "schedule_end": env.get("TITLEVIDEO_SCHEDULE_END", ""),
            "consonance_port": int(env.get("DEPLOY_CONSONANCE_PORT") or 8281),
            "bytenite_port": int(env.get("DEPLOY_BYTENITE_PORT") or 8282),
        }
        values.update({k: v for k, v in kw.items() if v is not None})
        return cls(**values)

    # -- addresses ----------------------------------------------------------------------------
    def _pg(self) -> Any:
        parts = urlsplit(self.postgres_url)
        if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
            raise SystemExit(
                f"TITLEVIDEO_POSTGRES_URL={self.postgres_url!r}: expected "
                "postgresql://user[:password]@host[:port]"
            )
        return parts

    def sqlalchemy_url(
        self, driver: str = "postgresql+psycopg2", database: str | None = None
    ) -> str:
        parts = self._pg()
        auth = quote(unquote(parts.username or "postgres"), safe="")
        if parts.password:
            auth += ":" + quote(unquote(parts.password), safe="")
        return (
            f"{driver}://{auth}@{parts.hostname}:{parts.port or 5432}/{database or self.database}"
        )

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def run_dir(self) -> Path:
        return self.home / "deploy"


def _secret(s: Settings, name: str) -> str:
    """A random secret of this stack, kept in its home (0600) so restarts keep it."""
    path = s.home / name
    with contextlib.suppress(FileNotFoundError):
        value = path.read_text().strip()
        if value:
            return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def stack_settings(
    s: Settings, connections: dict[str, str], ports: dict[str, int]
) -> dict[str, str]:
    """Every Airflow setting of the stack: the shared file, then where things are on this host.

    The keys set here besides the shared file are the ones docker-compose.yaml sets per service
    (its ``environment:``), with this host's values; tests/unit/test_compose.py checks both
    sets of keys are the same."""
    env = dict(read_env_file())
    user = os.environ.get("_AIRFLOW_WWW_USER_USERNAME") or "airflow"
    env.update(
        {
            # where things are: PostgreSQL, Redis, the API server
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": s.sqlalchemy_url(),
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + s.sqlalchemy_url("postgresql"),
            "AIRFLOW__CELERY__BROKER_URL": s.redis_url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{s.api_url}/execution/",
            # the login: one admin, its password in a file the API server reads
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{user}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(
                s.home / "simple_auth_manager_passwords.json.generated"
            ),
            # secrets shared by every component (compose: variables with a default)
            "AIRFLOW__API_AUTH__JWT_SECRET": os.environ.get("AIRFLOW__API_AUTH__JWT_SECRET")
            or _secret(s, "jwt_secret"),
            "AIRFLOW__CORE__FERNET_KEY": os.environ.get("FERNET_KEY", ""),
            # paths (compose: the image's AIRFLOW_HOME and mounts)
            "AIRFLOW_HOME": str(s.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
            "LAKE_ROOT": str(s.lake),
            # the project's own: the first and last day of the daily schedule
            "TITLEVIDEO_SCHEDULE_START": s.schedule_start,
            "TITLEVIDEO_SCHEDULE_END": s.schedule_end,
            # ports of this host (compose: each container has its own network)
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(s.port),
            "AIRFLOW__API__BASE_URL": f"http://localhost:{s.port}",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(
                ports["scheduler_health"]
            ),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(ports["triggerer_log"]),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(ports["worker-1_log"]),
        }
    )
    env.update(connections)
    env.update(s.overrides)
    return env


def component_env(base: dict[str, str], name: str, ports: dict[str, int]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_"))
        and k not in ("AIRFLOW_HOME", "LAKE_ROOT")
    }
    env.update(base)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    if name in WORKERS:
        env[WORKER_NAME_ENV] = name
        env["AIRFLOW__CORE__HOSTNAME_CALLABLE"] = HOSTNAME_CALLABLE
        env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(ports[f"{name}_log"])
    return env


def component_commands(workers: tuple[str, ...] = WORKERS) -> dict[str, list[str]]:
    """``airflow`` sub-command of each long-running component (as docker-compose.yaml runs them)."""
    commands = {
        "api-server": ["api-server"],
        "scheduler": ["scheduler"],
        "dag-processor": ["dag-processor"],
        "triggerer": ["triggerer"],
    }
    for name in workers:
        commands[name] = ["celery", "worker", "--celery-hostname", f"{name}@%h"]
    return commands
