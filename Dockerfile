# The project image for docker-compose.yaml: the official Airflow image plus this project's pinned
# dependencies and its package. Build with `docker compose build` (or `docker build -t
# title-video-elt .`). DAGs, plugins, include/ and config/ are bind-mounted by Compose, as in the
# official Airflow Compose file, so editing a DAG or a SQL model needs no rebuild; a change to
# requirements.lock, titlevideo/ or emulators/ does.
FROM apache/airflow:3.3.2-python3.11

# The base image already holds Airflow 3.3.2 and a set of providers installed under Airflow's own
# constraint file. Installing requirements.lock on top REPLACES those constraint-pinned versions
# with the project's lock (the same hashed set `make` installs into .venv and the tests run on),
# so the containers run what was tested. pip only touches what the lock names: providers the
# image has and the lock does not (celery, postgres, redis - needed by this Compose setup) stay,
# and were checked to resolve against the lock. The FAB provider does not (it needs
# python-dateutil<3), which is why docker-compose.yaml uses Airflow's SimpleAuthManager.
# The lock carries hashes, so pip runs in --require-hashes mode. Installed as the image's
# `airflow` user, as the image documentation asks.
COPY --chown=airflow:0 requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -r /tmp/requirements.lock

# The project lives in AIRFLOW_HOME (/opt/airflow, the image's WORKDIR) in the repository's own
# layout - titlevideo/, emulators/ and include/ side by side - because titlevideo finds its SQL
# models and business rules relative to the package (PROJECT_ROOT/include/...). It is installed
# editable and with --no-deps (the lock above is the single source of versions), exactly as
# `make` does, so `titlevideo` and `emulators` import from any working directory without
# PYTHONPATH and `python -m emulators.consonance` works.
COPY --chown=airflow:0 pyproject.toml README.md /opt/airflow/
COPY --chown=airflow:0 titlevideo/ /opt/airflow/titlevideo/
COPY --chown=airflow:0 emulators/ /opt/airflow/emulators/
COPY --chown=airflow:0 include/ /opt/airflow/include/
RUN pip install --no-cache-dir --no-deps -e /opt/airflow

# The lake's mount point. Created here, group-writable (the image runs under any UID with GID 0),
# so a fresh named volume mounted over it starts with this owner and mode instead of root's.
RUN install -d -m 0775 /opt/airflow/data
