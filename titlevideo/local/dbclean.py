"""``make db-clean``: the retention of Airflow's metadata database, by ``airflow db clean``.

Airflow keeps every DAG run, task instance and its tries, log line, XCom, asset event and Celery
result for ever: under the daily schedule its database grows with the number of runs (the
``make soak`` table in RELIABILITY.md). ``airflow db clean`` is Airflow's own purge; this runs it
with the deployment's retention, ``TITLEVIDEO_AIRFLOW_DB_RETENTION_DAYS`` in ``deploy/airflow.env``
(the file Compose and ``make deploy`` share; the environment overrides it):

* rows older than the retention go from every table ``airflow db clean`` knows (Airflow keeps
  the latest scheduled run of each DAG whatever its age, so the schedule is not disturbed);
* ``--skip-archive``: Airflow would otherwise copy them into ``_airflow_deleted__*`` tables of
  the same database, which would then grow instead;
* ``--error-on-cleanup-failure``: a table that could not be cleaned fails the command.

Which database: ``make db-clean`` cleans the one of ``make deploy`` (``--deploy``: the
addresses of :class:`titlevideo.local.deploy.Settings`); inside a Compose container (or any
environment that sets ``AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`` or ``AIRFLOW_HOME``) run
``python -m titlevideo.local.dbclean`` and it cleans that environment's database.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

RETENTION_SETTING = "TITLEVIDEO_AIRFLOW_DB_RETENTION_DAYS"


def retention_days(env: dict[str, str] | None = None) -> int:
    """The retention in days: the environment's, else ``deploy/airflow.env``'s."""
    from titlevideo.local.deploy import SHARED_SETTINGS, read_env_file

    env = dict(os.environ if env is None else env)
    raw = env.get(RETENTION_SETTING) or read_env_file().get(RETENTION_SETTING)
    where = (
        RETENTION_SETTING
        if env.get(RETENTION_SETTING)
        else f"{RETENTION_SETTING} in {SHARED_SETTINGS}"
    )
    if raw is None:
        raise SystemExit(f"{where} is not set: the days of Airflow history to keep, e.g. 90")
    try:
        days = int(raw)
    except ValueError:
        raise SystemExit(f"{where}={raw!r}: expected a whole number of days, e.g. 90") from None
    if days < 1:
        raise SystemExit(f"{where}={raw!r}: keep at least 1 day of Airflow history")
    return days


def command(days: int, *, now: datetime | None = None, dry_run: bool = False) -> list[str]:
    """The ``airflow db clean`` command line for a retention of ``days``."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    argv = [
        str(Path(sys.executable).with_name("airflow")),
        "db",
        "clean",
        "--clean-before-timestamp",
        cutoff.isoformat(timespec="seconds"),
        "--skip-archive",
        "--error-on-cleanup-failure",
        "--yes",
    ]
    return [*argv, "--dry-run"] if dry_run else argv


def deploy_env() -> dict[str, str]:
    """The environment of ``make deploy``'s database (its Airflow home and metadata address)."""
    from titlevideo.local.deploy import Settings, read_env_file

    s = Settings.from_env()
    return {
        **os.environ,
        **read_env_file(),
        "AIRFLOW_HOME": str(s.home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": s.sqlalchemy_url(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m titlevideo.local.dbclean", description=__doc__)
    parser.add_argument("--deploy", action="store_true", help="the database of make deploy")
    parser.add_argument("--days", type=int, help=f"retention (default: {RETENTION_SETTING})")
    parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    args = parser.parse_args(argv)
    days = args.days if args.days is not None else retention_days()
    if days < 1:
        raise SystemExit("--days: keep at least 1 day of Airflow history")
    env = deploy_env() if args.deploy else dict(os.environ)
    argv_ = command(days, dry_run=args.dry_run)
    print(f"airflow db clean: keeping {days} days (before {argv_[4]} is purged)", flush=True)
    return subprocess.run(argv_, env=env, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
