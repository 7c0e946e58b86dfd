"""The project on one machine: emulators, a local Airflow, daily cycles, the UI and backfills.

What ``titlevideo.cli`` (``make run``, ``make airflow``, ``make backfill``, ``make emulators``,
``make stop``) and ``make deploy`` are built from, one module per concern:

* :mod:`~titlevideo.local.emulators` - both emulators as background processes
* :mod:`~titlevideo.local.airflow` - an Airflow home: its environment, its CLI, ``airflow
  standalone`` as a child process
* :mod:`~titlevideo.local.api` - the REST API v2 of a running Airflow (through the one transport
  policy); nothing here reads Airflow's metadata database
* :mod:`~titlevideo.local.cycle` - one daily cycle with ``airflow dags test`` and its summary
* :mod:`~titlevideo.local.ui` - ``make airflow``
* :mod:`~titlevideo.local.backfill` - season backfills
* :mod:`~titlevideo.local.deploy` - ``make deploy``: the production stack of docker-compose.yaml
  (PostgreSQL, Redis, CeleryExecutor, two workers) as local processes
* :mod:`~titlevideo.local.soak` - ``make soak``: a month of days on that stack
"""

from __future__ import annotations

import os
from pathlib import Path

from titlevideo.config import PROJECT_ROOT


def say(message: str) -> None:
    print(message, flush=True)


def airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or PROJECT_ROOT / ".airflow").resolve()
