"""The production stack of docker-compose.yaml as local processes: ``make deploy`` / ``make deploy-stop``.

``python -m titlevideo.local.deploy up`` starts, on this machine and in the background:

* Airflow's metadata database on PostgreSQL (a database of its own, created if missing, migrated
  with ``airflow db migrate``);
* the ``CeleryExecutor`` with Redis as broker and PostgreSQL as result backend;
* ``api-server``, ``scheduler``, ``dag-processor``, ``triggerer`` and two Celery workers
  (``worker-1``, ``worker-2``; each reports its own hostname, so the UI and the metadata show
  which one ran a task);
* both emulators, the connections to them and the ``duckdb_writer`` pool.

The Airflow settings come from ``deploy/airflow.env``, the file docker-compose.yaml gives every
Airflow container; what differs is only where things are (addresses, paths, ports). Addresses
come from the environment, defaulting to the local services:

=========================  ==================================  =====================================
variable                   default                             what
=========================  ==================================  =====================================
TITLEVIDEO_POSTGRES_URL    postgresql://postgres@127.0.0.1:5432 the PostgreSQL server (no database)
TITLEVIDEO_AIRFLOW_DB      titlevideo_airflow                  Airflow's database on it
TITLEVIDEO_REDIS_URL       redis://127.0.0.1:6379/0            the Celery broker
DEPLOY_HOME                ./.deploy                           AIRFLOW_HOME: logs, pids, login
DEPLOY_LAKE_ROOT           ./.deploy/lake                      the lake (LAKE_ROOT of every task)
DEPLOY_PORT                8280                                the API server and UI
DEPLOY_CONSONANCE_PORT     8281                                the Consonance emulator
DEPLOY_BYTENITE_PORT       8282                                the ByteNite emulator
TITLEVIDEO_SCHEDULE_START  (unset)                             first day of the daily schedule
TITLEVIDEO_SCHEDULE_END    (unset)                             its last day
=========================  ==================================  =====================================

``python -m titlevideo.local.deploy down`` stops every process of the stack (and its emulators)
and checks that none is left.

The package, by concern: ``settings`` (where things are, each component's environment),
``services`` (PostgreSQL and Redis), ``processes`` (starting and stopping process groups),
``stack`` (:class:`Stack`, and what the scheduler did, read through the REST API) and
``__main__`` (the command line). The names below are what callers use.
"""

from titlevideo.local.deploy.processes import processes_of
from titlevideo.local.deploy.services import (
    check_services,
    claim_redis_db,
    drop_database,
    pg_database_size,
    release_redis_db,
)
from titlevideo.local.deploy.settings import (
    SHARED_SETTINGS,
    WORKERS,
    Settings,
    component_commands,
    component_env,
    read_env_file,
    stack_settings,
    worker_hostname,
)
from titlevideo.local.deploy.stack import (
    DAGS,
    EXTRACTS,
    Stack,
    queued_events,
    quiet,
    runs,
    task_instances,
)

__all__ = [
    "DAGS",
    "EXTRACTS",
    "SHARED_SETTINGS",
    "WORKERS",
    "Settings",
    "Stack",
    "check_services",
    "claim_redis_db",
    "component_commands",
    "component_env",
    "drop_database",
    "pg_database_size",
    "processes_of",
    "queued_events",
    "quiet",
    "read_env_file",
    "release_redis_db",
    "runs",
    "stack_settings",
    "task_instances",
    "worker_hostname",
]
