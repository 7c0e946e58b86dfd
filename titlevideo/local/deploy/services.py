"""The PostgreSQL and Redis the stack of ``make deploy`` needs: checked, its database made, sized,
dropped; a Redis database claimed for a test or a soak.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote, urlsplit

from titlevideo.local.deploy.settings import Settings


def check_services(s: Settings) -> None:
    """Both backing services answer; otherwise one message naming each missing one and how to
    provide it."""
    problems = []
    try:
        _pg_connect(s, "postgres").close()
    except Exception as exc:  # any failure to connect is reported the same way
        parts = s._pg()
        problems.append(
            f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} "
            f"({_first_line(exc)}). Airflow keeps its metadata and Celery its results there. "
            "Start it (Debian/Ubuntu: `sudo service postgresql start`) or point "
            "TITLEVIDEO_POSTGRES_URL at one: postgresql://user:password@host:5432"
        )
    try:
        import redis

        redis.Redis.from_url(s.redis_url, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as exc:
        problems.append(
            f"Redis is not reachable at {redacted(s.redis_url)} ({_first_line(exc)}). "
            "It is the Celery broker. Start it (Debian/Ubuntu: `sudo service redis-server start`) "
            "or point TITLEVIDEO_REDIS_URL at one: redis://host:6379/0"
        )
    if problems:
        raise SystemExit("Cannot start the stack:\n  * " + "\n  * ".join(problems))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def _pg_connect(s: Settings, database: str) -> Any:
    import psycopg2

    parts = s._pg()
    return psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password) if parts.password else None,
        dbname=database,
        connect_timeout=5,
    )


def ensure_database(s: Settings) -> bool:
    """Create Airflow's database if it does not exist; True if it was created."""
    con = _pg_connect(s, "postgres")
    try:
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (s.database,))
            if cur.fetchone():
                return False
            from psycopg2 import sql

            cur.execute(sql.SQL("create database {}").format(sql.Identifier(s.database)))
            return True
    finally:
        con.close()


def pg_database_size(s: Settings) -> int:
    """Bytes of Airflow's database on the server."""
    con = _pg_connect(s, "postgres")
    try:
        with con.cursor() as cur:
            cur.execute("select pg_database_size(%s)", (s.database,))
            return int(cur.fetchone()[0])
    finally:
        con.close()


#: The claim on a Redis database by a test run or ``make soak`` (expires on its own).
REDIS_CLAIM_KEY = "titlevideo:claim"


def claim_redis_db(server: str, hours: float = 4) -> str:
    """A Redis database (1-15) of ``server`` that no other test run or soak holds: the claim key
    is set where absent, then the database is emptied (a crashed run's leftovers) and claimed
    again. Database 0 stays ``make deploy``'s."""
    import redis

    for number in range(1, 16):
        client = redis.Redis.from_url(f"{server}/{number}")
        if client.set(REDIS_CLAIM_KEY, str(os.getpid()), nx=True, ex=int(hours * 3600)):
            client.flushdb()
            client.set(REDIS_CLAIM_KEY, str(os.getpid()), ex=int(hours * 3600))
            return f"{server}/{number}"
    raise SystemExit(f"every Redis database 1-15 of {server} is claimed by another run")


def release_redis_db(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def drop_database(s: Settings) -> None:
    """Remove Airflow's database of this stack (tests; never ``postgres``)."""
    if s.database in ("postgres", "template0", "template1"):
        raise ValueError(f"refusing to drop {s.database!r}")
    con = _pg_connect(s, "postgres")
    try:
        con.autocommit = True
        from psycopg2 import sql

        with con.cursor() as cur:
            cur.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s",
                (s.database,),
            )
            cur.execute(sql.SQL("drop database if exists {}").format(sql.Identifier(s.database)))
    finally:
        con.close()
